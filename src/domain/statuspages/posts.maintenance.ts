import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import { formatInZone } from '../../lib/timezone.ts';
import { findOwnPage } from './pages.repository.ts';
import * as repo from './posts.repository.ts';
import { type AuditBy } from '../audit/audit.repository.ts';
import { componentsFromForm, type Impact, maintenanceSchema, maintenanceState, postTextSchema } from './posts.ts';
import { auditPost, loadPosts, notifySubscribers, type PostDeps } from './posts.service.ts';

/**
 * Scheduled maintenance posts: announced in advance, in progress between their start and
 * end, completed afterwards (or early, by hand). The state follows the clock when read;
 * tickMaintenance stores it and tells subscribers when it starts and completes.
 */
export interface NewMaintenance {
  title: string;
  message: string;
  /** Epoch ms. */
  start: number;
  end: number;
  componentIds: readonly number[];
  publish: 'now' | 'draft';
  /** The account's maintenance window this post announces, if any. */
  windowId?: number | null;
}

/** Schedules a maintenance post; every problem is reported at once, and components must be the page's. */
export async function scheduleMaintenance(deps: PostDeps, accountId: number, pageId: number, input: NewMaintenance, by?: AuditBy): Promise<number> {
  const fields: Record<string, string> = {};
  const text = postTextSchema.safeParse(input);
  if (!text.success) for (const i of text.error.issues) fields[String(i.path[0])] ??= i.message;
  if (!(input.end > input.start)) fields.ends_at = 'The end must be after the start';
  if (input.componentIds.length === 0) fields.components = 'Choose at least one component';
  if (Object.keys(fields).length) throw new ValidationError(Object.keys(fields).length > 1 ? 'Please fix the highlighted fields' : Object.values(fields)[0]!, fields);
  const { title, message } = text.data!;
  return writeTx(deps.db, async (trx) => {
    await findOwnPage(trx, accountId, pageId);
    const valid = new Set((await repo.pageComponents(trx, pageId)).map((c) => c.id));
    const unknown = input.componentIds.filter((id) => !valid.has(id));
    if (unknown.length) throw new ValidationError(`Not components of this page: ${unknown.join(', ')}`, { components: `Not components of this page: ${unknown.join(', ')}` });
    const window = input.windowId != null && isDbId(input.windowId) ? await repo.findWindow(trx, accountId, input.windowId) : undefined;
    const at = deps.clock.now();
    const state = maintenanceState('scheduled', input.start, input.end, at);
    const publishedAt = input.publish === 'now' ? at : null;
    const id = await repo.insertPost(trx, {
      accountId, pageId, kind: 'maintenance', title, state, publishedAt, at,
      maintenanceWindowId: window?.id ?? null, scheduledStart: input.start, scheduledEnd: input.end,
    });
    const chosen = [...new Set(input.componentIds)];
    await repo.replaceComponents(trx, id, new Map(chosen.map((c) => [c, 'maintenance' as Impact])));
    await repo.insertUpdate(trx, id, state, message, at);
    const post = { id, pageId, title };
    if (publishedAt !== null) {
      await notifySubscribers(trx, deps.baseUrl, post, chosen, { event: 'maintenance.scheduled', key: `post:${id}:scheduled`, body: message, at });
    }
    await auditPost(trx, by, accountId, 'maintenance_post.created', post, at, { starts_at: input.start, ends_at: input.end, published: publishedAt !== null, components: chosen.length });
    return id;
  });
}

/** The maintenance form: wall-clock times in a time zone and `component_<id>` checkboxes. */
export async function createMaintenance(deps: PostDeps, accountId: number, pageId: number, raw: Record<string, string>, by?: AuditBy): Promise<number> {
  await findOwnPage(deps.db, accountId, pageId);
  const valid = new Set((await repo.pageComponents(deps.db, pageId)).map((c) => c.id));
  const chosen = componentsFromForm(raw).filter((id) => valid.has(id));
  // Every field's problem at once: the schema's and the components'.
  const noComponents = chosen.length === 0 ? { components: 'Choose at least one component' } : null;
  let input;
  try {
    input = parseInput(maintenanceSchema, raw);
  } catch (err) {
    if (err instanceof ValidationError && noComponents) throw new ValidationError('Please fix the highlighted fields', { ...err.fields, ...noComponents });
    throw err;
  }
  const windowId = input.window_id && /^\d{1,10}$/.test(input.window_id) ? Number(input.window_id) : null;
  return scheduleMaintenance(deps, accountId, pageId, { title: input.title, message: input.message, start: input.start, end: input.end, componentIds: chosen, publish: input.publish, windowId }, by);
}

/** Form values for a maintenance post copied from a one-off maintenance window. */
export async function prefillFromWindow(deps: PostDeps, accountId: number, pageId: number, windowId: number): Promise<Record<string, string>> {
  await findOwnPage(deps.db, accountId, pageId);
  const w = isDbId(windowId) ? await repo.findWindow(deps.db, accountId, windowId) : undefined;
  if (!w) throw new NotFoundError('Maintenance window');
  if (w.cron || w.starts_at === null || w.ends_at === null) throw new ValidationError('Only one-off windows can be announced as a post');
  const values: Record<string, string> = {
    title: w.title,
    timezone: w.timezone,
    starts_at: formatInZone(w.starts_at, w.timezone).replace(' ', 'T'),
    ends_at: formatInZone(w.ends_at, w.timezone).replace(' ', 'T'),
    message: `We will be performing scheduled maintenance: ${w.title}.`,
    window_id: String(w.id),
  };
  for (const c of await repo.pageComponents(deps.db, pageId)) if (c.monitorId !== null && w.monitorIds.includes(c.monitorId)) values[`component_${c.id}`] = 'on';
  return values;
}

export async function oneOffWindows(deps: PostDeps, accountId: number) {
  return repo.listOneOffWindows(deps.db, accountId, deps.clock.now());
}

/** Completes a maintenance early, by hand. */
export async function completeMaintenance(deps: PostDeps, accountId: number, pageId: number, postId: number, by?: AuditBy): Promise<void> {
  await findOwnPage(deps.db, accountId, pageId);
  const row = isDbId(postId) ? await repo.findPost(deps.db, pageId, postId) : undefined;
  if (!row || row.account_id !== accountId || row.kind !== 'maintenance') throw new NotFoundError('Maintenance');
  const at = deps.clock.now();
  const state = maintenanceState(row.state, row.scheduled_start, row.scheduled_end, at);
  if (state === 'completed') throw new ConflictError('This maintenance is already completed.');
  await writeTx(deps.db, async (trx) => {
    if (!(await repo.advanceState(trx, row.id, row.state, 'completed', at))) return;
    await complete(trx, deps.baseUrl, row, at, 'The maintenance has been completed.');
    await auditPost(trx, by, accountId, 'maintenance_post.completed', { id: row.id, pageId, title: row.title }, at);
  });
}

async function complete(trx: Db, baseUrl: string, row: repo.PostRow, at: number, body: string) {
  await repo.insertUpdate(trx, row.id, 'completed', body, at);
  if (row.published_at === null) return;
  const [post] = await loadPosts(trx, [row], at);
  await notifySubscribers(trx, baseUrl, post!, post!.components.map((c) => c.id), {
    event: 'maintenance.completed', key: `post:${row.id}:completed`, body, at,
  });
}

/**
 * Stores what the clock says about published maintenance posts: scheduled → in progress at
 * the start, → completed at the end, each with an update and a notice. Idempotent: a state
 * moves only from the value read (conditional update), and notice keys are per post and step.
 */
export async function tickMaintenance(deps: { db: Db; clock: { now(): number }; baseUrl: string }): Promise<number> {
  const now = deps.clock.now();
  let moved = 0;
  for (const row of await repo.maintenanceDue(deps.db, now)) {
    const target = maintenanceState(row.state, row.scheduled_start, row.scheduled_end, now);
    await writeTx(deps.db, async (trx) => {
      if (!(await repo.advanceState(trx, row.id, row.state, target, now))) return;
      moved++;
      if (target === 'completed') return complete(trx, deps.baseUrl, row, now, 'The scheduled maintenance has been completed.');
      const body = 'The scheduled maintenance is now in progress.';
      await repo.insertUpdate(trx, row.id, 'in_progress', body, now);
      const [post] = await loadPosts(trx, [row], now);
      await notifySubscribers(trx, deps.baseUrl, post!, post!.components.map((c) => c.id), { event: 'maintenance.started', key: `post:${row.id}:started`, body, at: now });
    });
  }
  return moved;
}
