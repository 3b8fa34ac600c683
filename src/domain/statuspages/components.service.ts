import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { parseDbId } from '../../lib/ids.ts';
import { nameText, parseInput } from '../../lib/validate.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import * as monitorsRepo from '../monitors/monitors.repository.ts';
import * as repo from './components.repository.ts';
import { findOwnPage } from './pages.repository.ts';

/** The hand-set states of a manual component, worst last. */
export const MANUAL_STATUSES = ['operational', 'degraded', 'partial_outage', 'major_outage', 'maintenance'] as const;
export type ManualStatus = (typeof MANUAL_STATUSES)[number];

interface Deps {
  db: Db;
  clock: Clock;
}

const groupName = nameText().min(1, 'Name the group').max(80, 'Keep the group name under 80 characters');
const description = z.string().trim().max(300, 'Keep the description under 300 characters').optional().transform((v) => v ?? '');
const status = z.enum(MANUAL_STATUSES, { message: 'Choose a status' });
// Ids come as form strings from the dashboard and as numbers from the API.
const idRef = z.union([z.string(), z.number()]).nullish();
const groupRef = idRef.transform((v) => (v === null || v === undefined || v === '' ? null : parseDbId(String(v))));

const manualSchema = z.object({ name: nameText().min(1, 'Name the component').max(80, 'Keep the name under 80 characters'), description, status, group_id: groupRef });
const monitorSchema = z.object({ monitor_id: idRef.transform((v) => parseDbId(v === null || v === undefined ? undefined : String(v))), group_id: groupRef });
const patchSchema = z.object({
  name: nameText().max(80, 'Keep the name under 80 characters').nullish(),
  description: z.string().trim().max(300, 'Keep the description under 300 characters').optional(),
  groupId: z.number().nullable().optional(),
  status: status.optional(),
});

/** What the add forms (strings) and the API (numbers) send. */
export type ComponentInput = Record<string, string | number | null | undefined>;

/** Records a component change in the audit log when the caller says who acted (the API does). */
async function audit(db: Db, by: AuditBy | undefined, accountId: number, action: string, c: { id: number; pageId: number; name: string }, at: number, details: Record<string, unknown> = {}) {
  if (!by) return;
  await recordAudit(db, { accountId, actor: by.actor, ip: by.ip ?? null, action, target: `component ${c.id} on page ${c.pageId} (${c.name})`, details, at });
}
const editSchema = z.object({ name: nameText().max(80, 'Keep the name under 80 characters').optional().transform((v) => v ?? ''), description, group_id: groupRef });

/** Everything the components editor shows: groups, components (private monitors flagged) and monitors to add. */
export async function getEditor(db: Db, accountId: number, pageId: number) {
  const page = await findOwnPage(db, accountId, pageId);
  const [groups, components, monitors] = await Promise.all([repo.listGroups(db, page.id), repo.listComponents(db, page.id), monitorsRepo.listByAccount(db, accountId)]);
  const onPage = new Set(components.map((c) => c.monitor_id).filter((id) => id !== null));
  return {
    page,
    groups,
    components: components.map((c) => ({ ...c, hidden: c.monitor_id !== null && c.monitor_public !== 1, displayName: c.name || c.monitor_name || '' })),
    available: monitors.filter((m) => !onPage.has(m.id)).map((m) => ({ id: m.id, name: m.name, isPublic: m.isPublic })),
  };
}

async function groupOrNull(db: Db, pageId: number, groupId: number | null): Promise<number | null> {
  if (groupId === null) return null;
  const g = await repo.findGroup(db, pageId, groupId);
  if (!g) throw new NotFoundError('Group');
  return g.id;
}

async function ownComponent(db: Db, accountId: number, pageId: number, componentId: number) {
  const page = await findOwnPage(db, accountId, pageId);
  const c = await repo.findComponent(db, page.id, componentId);
  if (!c) throw new NotFoundError('Component');
  return { page, c };
}

async function ownGroup(db: Db, accountId: number, pageId: number, groupId: number) {
  const page = await findOwnPage(db, accountId, pageId);
  const g = await repo.findGroup(db, page.id, groupId);
  if (!g) throw new NotFoundError('Group');
  return { page, g };
}

export async function addGroup(deps: Deps, accountId: number, pageId: number, raw: { name?: string }) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const name = parseInput(z.object({ name: groupName }), raw).name;
  return repo.insertGroup(deps.db, page.id, name);
}

export async function renameGroup(deps: Deps, accountId: number, pageId: number, groupId: number, raw: { name?: string }) {
  const { page, g } = await ownGroup(deps.db, accountId, pageId, groupId);
  await repo.renameGroup(deps.db, page.id, g.id, parseInput(z.object({ name: groupName }), raw).name);
}

export async function deleteGroup(deps: Deps, accountId: number, pageId: number, groupId: number) {
  const { page, g } = await ownGroup(deps.db, accountId, pageId, groupId);
  await writeTx(deps.db, (trx) => repo.deleteGroup(trx, page.id, g.id));
}

/** Swaps a group with its neighbour, renumbering every group so positions stay distinct. */
export async function moveGroup(deps: Deps, accountId: number, pageId: number, groupId: number, dir: 'up' | 'down') {
  const { page, g } = await ownGroup(deps.db, accountId, pageId, groupId);
  await writeTx(deps.db, async (trx) => {
    const order = (await repo.listGroups(trx, page.id)).map((x) => x.id);
    swap(order, order.indexOf(g.id), dir);
    for (const [i, id] of order.entries()) await repo.setGroupPosition(trx, id, i);
  });
}

function swap(ids: number[], i: number, dir: 'up' | 'down'): void {
  const j = dir === 'up' ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= ids.length) return;
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
}

export async function addMonitorComponent(deps: Deps, accountId: number, pageId: number, raw: ComponentInput, by?: AuditBy) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const input = parseInput(monitorSchema, raw);
  const m = await monitorsRepo.findInAccount(deps.db, accountId, input.monitor_id);
  if (!m) throw new NotFoundError('Monitor');
  return writeTx(deps.db, async (trx) => {
    if (await repo.monitorOnPage(trx, page.id, m.id)) throw new ConflictError(`${m.name} is already on this page`, 'conflict', { monitor_id: 'Already on this page' });
    const groupId = await groupOrNull(trx, page.id, input.group_id);
    const id = await repo.insertComponent(trx, { pageId: page.id, monitorId: m.id, name: null, description: '', manualStatus: null, groupId, now: deps.clock.now() });
    await audit(trx, by, accountId, 'page_component.created', { id, pageId: page.id, name: m.name }, deps.clock.now(), { monitor_id: m.id });
    return id;
  });
}

export async function addManualComponent(deps: Deps, accountId: number, pageId: number, raw: ComponentInput, by?: AuditBy) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const input = parseInput(manualSchema, raw);
  return writeTx(deps.db, async (trx) => {
    const groupId = await groupOrNull(trx, page.id, input.group_id);
    const id = await repo.insertComponent(trx, { pageId: page.id, monitorId: null, name: input.name, description: input.description, manualStatus: input.status, groupId, now: deps.clock.now() });
    await audit(trx, by, accountId, 'page_component.created', { id, pageId: page.id, name: input.name }, deps.clock.now(), { status: input.status });
    return id;
  });
}

/**
 * Changes only the given fields (the API's PATCH): display name (null or empty falls back to
 * the monitor's name; a manual component must keep one), description, group (null: none;
 * a component moved to another group goes to its end) and a manual component's status.
 */
export async function patchComponent(
  deps: Deps, accountId: number, pageId: number, componentId: number,
  patch: { name?: string | null; description?: string; groupId?: number | null; status?: string }, by?: AuditBy,
) {
  const { page, c } = await ownComponent(deps.db, accountId, pageId, componentId);
  const input = parseInput(patchSchema, patch);
  if (input.status !== undefined && c.monitor_id !== null) {
    throw new ConflictError('A monitor component takes its status from its monitor', 'not_manual', { status: 'Only manual components have a status set by hand' });
  }
  const name = input.name === undefined ? c.name : input.name || null;
  if (c.monitor_id === null && !name) throw new ValidationError('Name the component', { name: 'Name the component' });
  await writeTx(deps.db, async (trx) => {
    const groupId = input.groupId === undefined ? c.group_id : await groupOrNull(trx, page.id, input.groupId);
    await repo.updateComponent(trx, page.id, c.id, { name, description: input.description ?? c.description, manual_status: input.status ?? c.manual_status });
    if (groupId !== c.group_id) await repo.moveComponentToEnd(trx, page.id, c.id, groupId);
    const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
    await audit(trx, by, accountId, 'page_component.updated', { id: c.id, pageId: page.id, name: name ?? `monitor ${c.monitor_id}` }, deps.clock.now(), { changed });
  });
}

/** Display name, description and group; a manual component must keep a name, a monitor's may fall back to the monitor's. */
export async function editComponent(deps: Deps, accountId: number, pageId: number, componentId: number, raw: Record<string, string>) {
  const { page, c } = await ownComponent(deps.db, accountId, pageId, componentId);
  const input = parseInput(editSchema, raw);
  if (c.monitor_id === null && !input.name) parseInput(z.object({ name: z.string().min(1, 'Name the component') }), { name: '' });
  const groupId = await groupOrNull(deps.db, page.id, input.group_id);
  await writeTx(deps.db, async (trx) => {
    await repo.updateComponent(trx, page.id, c.id, { name: input.name || null, description: input.description });
    // A component moved to another group goes to that group's end.
    if (groupId !== c.group_id) await repo.moveComponentToEnd(trx, page.id, c.id, groupId);
  });
}

export async function setManualStatus(deps: Deps, accountId: number, pageId: number, componentId: number, raw: { status?: string }) {
  const { page, c } = await ownComponent(deps.db, accountId, pageId, componentId);
  if (c.monitor_id !== null) throw new ConflictError('A monitor component takes its status from its monitor', 'not_manual');
  await repo.updateComponent(deps.db, page.id, c.id, { manual_status: parseInput(z.object({ status }), raw).status });
}

/** Swaps a component with its neighbour in the same group; every position of the page is renumbered. */
export async function moveComponent(deps: Deps, accountId: number, pageId: number, componentId: number, dir: 'up' | 'down') {
  const { page, c } = await ownComponent(deps.db, accountId, pageId, componentId);
  await writeTx(deps.db, async (trx) => {
    const all = await repo.listComponents(trx, page.id);
    const siblings = all.filter((x) => x.group_id === c.group_id).map((x) => x.id);
    const i = siblings.indexOf(c.id);
    const j = dir === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= siblings.length) return;
    const order = all.map((x) => x.id);
    const a = order.indexOf(siblings[i]!);
    const b = order.indexOf(siblings[j]!);
    [order[a], order[b]] = [order[b]!, order[a]!];
    for (const [pos, id] of order.entries()) await repo.updateComponent(trx, page.id, id, { position: pos });
  });
}

export async function removeComponent(deps: Deps, accountId: number, pageId: number, componentId: number, by?: AuditBy) {
  const { page, c } = await ownComponent(deps.db, accountId, pageId, componentId);
  await writeTx(deps.db, async (trx) => {
    await repo.deleteComponent(trx, page.id, c.id);
    await audit(trx, by, accountId, 'page_component.deleted', { id: c.id, pageId: page.id, name: c.name ?? `monitor ${c.monitor_id}` }, deps.clock.now());
  });
}

/**
 * Today's behaviour for new public monitors: one on no page yet joins the end of the
 * account's first page. Runs inside the monitor's own transaction.
 */
export async function placeNewPublicMonitor(trx: Db, accountId: number, monitorId: number, now: number): Promise<void> {
  if (await repo.monitorOnAnyPage(trx, monitorId)) return;
  const pageId = await repo.firstPageId(trx, accountId);
  if (pageId === undefined) return;
  await repo.insertComponent(trx, { pageId, monitorId, name: null, description: '', manualStatus: null, groupId: null, now });
}
