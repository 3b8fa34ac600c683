import { Cron } from 'croner';
import { isDbId } from '../../lib/ids.ts';
import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import { type Clock, MINUTE } from '../../lib/clock.ts';
import { NotFoundError, PlanLimitError, ValidationError } from '../../lib/errors.ts';
import { isTimeZone, zonedToUtc } from '../../lib/timezone.ts';
import { nameText, parseInput } from '../../lib/validate.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { limitsFor, type PlanPolicy } from '../billing/plans.ts';
import { activeOccurrence, type WindowRow } from './maintenance.ts';
import * as repo from './maintenance.repository.ts';

export interface MaintenanceDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
}

export interface MaintenanceWindow extends WindowRow {
  monitorIds: number[];
  /** The occurrence in progress, or the next one. */
  current: { from: number; to: number } | null;
  next: { from: number; to: number } | null;
  state: 'active' | 'upcoming' | 'ended';
}

const schema = z
  .object({
    title: nameText().min(1, 'Give the window a title').max(120, 'Keep the title under 120 characters'),
    type: z.enum(['once', 'recurring'], { message: 'Choose one-off or recurring' }),
    timezone: z.string().trim().default('UTC').refine(isTimeZone, 'Unknown time zone (use a name like Europe/Paris or UTC)'),
    starts_at: z.string().optional(),
    ends_at: z.string().optional(),
    cron: z.string().trim().optional(),
    duration_minutes: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1, 'At least 1 minute').max(7 * 24 * 60, 'At most a week').optional()),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'once') {
      if (!isTimeZone(v.timezone)) return; // times cannot be read; the field says why
      const start = v.starts_at ? zonedToUtc(v.starts_at, v.timezone) : null;
      const end = v.ends_at ? zonedToUtc(v.ends_at, v.timezone) : null;
      if (start === null) ctx.addIssue({ code: 'custom', path: ['starts_at'], message: 'Enter when the window starts' });
      if (end === null) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'Enter when the window ends' });
      if (start !== null && end !== null && end <= start) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'The end must be after the start' });
    } else {
      if (!v.cron) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'Enter a cron expression, e.g. 0 3 * * SUN' });
      else {
        try {
          new Cron(v.cron, { paused: true }).stop();
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['cron'], message: 'Not a valid cron expression; use five fields like 0 3 * * SUN' });
        }
      }
      if (!v.duration_minutes) ctx.addIssue({ code: 'custom', path: ['duration_minutes'], message: 'Enter how long each window lasts' });
    }
  });

function nextOccurrence(w: WindowRow, now: number): { from: number; to: number } | null {
  if (w.ended_at !== null && w.ended_at <= now && !w.cron) return null;
  if (w.cron && w.duration_minutes) {
    const cron = new Cron(w.cron, { timezone: w.timezone, paused: true });
    const next = cron.nextRun(new Date(now));
    cron.stop();
    return next ? { from: next.getTime(), to: next.getTime() + w.duration_minutes * MINUTE } : null;
  }
  return w.starts_at !== null && w.ends_at !== null && w.starts_at > now ? { from: w.starts_at, to: w.ends_at } : null;
}

function describe(w: WindowRow, monitorIds: number[], now: number): MaintenanceWindow {
  const current = activeOccurrence(w, now);
  const next = nextOccurrence(w, now);
  return { ...w, monitorIds, current, next, state: current ? 'active' : next ? 'upcoming' : 'ended' };
}

async function requirePlan(deps: MaintenanceDeps, accountId: number): Promise<void> {
  const account = await findAccount(deps.db, accountId);
  if (!account) throw new NotFoundError('Account');
  if (!deps.policy.selfHosted && account.plan !== 'business') {
    throw new PlanLimitError(`${limitsFor(deps.policy, account.plan).label} does not include maintenance windows; they come with the Business plan.`);
  }
}

export async function listWindows(deps: MaintenanceDeps, accountId: number): Promise<MaintenanceWindow[]> {
  const rows = await repo.listForAccount(deps.db, accountId);
  const links = await repo.monitorLinks(deps.db, rows.map((r) => r.id));
  const now = deps.clock.now();
  return rows.map((w) => describe(w, links.filter((l) => l.window_id === w.id).map((l) => l.monitor_id), now));
}

export async function getWindow(deps: MaintenanceDeps, accountId: number, id: number): Promise<MaintenanceWindow> {
  const w = isDbId(id) ? (await listWindows(deps, accountId)).find((x) => x.id === id) : undefined;
  if (!w) throw new NotFoundError('Maintenance window');
  return w;
}

/** Creates a one-off or recurring window covering the chosen monitors (the account's own). */
function audit(db: Db, by: AuditBy | undefined, accountId: number, action: string, w: { id: number; title: string }, at: number, details: Record<string, unknown> = {}) {
  if (!by) return Promise.resolve();
  return recordAudit(db, { accountId, actor: by.actor, ip: by.ip ?? null, action, target: `maintenance window ${w.id} (${w.title})`, details, at });
}

export async function createWindow(deps: MaintenanceDeps, accountId: number, raw: Record<string, string>, by?: AuditBy): Promise<number> {
  await requirePlan(deps, accountId);
  const input = parseInput(schema, raw);
  const wanted = Object.keys(raw).filter((k) => /^monitor_\d+$/.test(k)).map((k) => Number(k.slice(8)));
  const ids = (await repo.monitorIdsOfAccount(deps.db, accountId)).filter((id) => wanted.includes(id));
  if (ids.length === 0) throw new ValidationError('Choose at least one monitor', { monitors: 'Choose at least one monitor' });
  const once = input.type === 'once';
  return writeTx(deps.db, async (trx) => {
    const id = await repo.insertWindow(trx, {
      accountId,
      title: input.title,
      starts_at: once ? zonedToUtc(input.starts_at!, input.timezone) : null,
      ends_at: once ? zonedToUtc(input.ends_at!, input.timezone) : null,
      cron: once ? null : input.cron!,
      duration_minutes: once ? null : input.duration_minutes!,
      timezone: input.timezone,
      monitorIds: ids,
      now: deps.clock.now(),
    });
    await audit(trx, by, accountId, 'maintenance.created', { id, title: input.title }, deps.clock.now(), { kind: input.type, monitors: ids.length });
    return id;
  });
}

/** Ends a window now: a one-off one for good, a recurring one for the occurrence in progress. */
export async function endWindow(deps: MaintenanceDeps, accountId: number, id: number, by?: AuditBy): Promise<void> {
  if (!isDbId(id)) throw new NotFoundError('Maintenance window');
  await writeTx(deps.db, async (trx) => {
    const w = await findWindow(trx, accountId, id);
    await repo.markEnded(trx, accountId, id, deps.clock.now());
    await audit(trx, by, accountId, 'maintenance.ended', w, deps.clock.now());
  });
}

export async function deleteWindow(deps: MaintenanceDeps, accountId: number, id: number, by?: AuditBy): Promise<void> {
  if (!isDbId(id)) throw new NotFoundError('Maintenance window');
  await writeTx(deps.db, async (trx) => {
    const w = await findWindow(trx, accountId, id);
    await repo.deleteWindow(trx, accountId, id);
    await audit(trx, by, accountId, 'maintenance.deleted', w, deps.clock.now());
  });
}

async function findWindow(db: Db, accountId: number, id: number): Promise<{ id: number; title: string }> {
  const w = await repo.findTitle(db, accountId, id);
  if (!w) throw new NotFoundError('Maintenance window');
  return w;
}

/** Active and upcoming (next 7 days) windows touching public monitors, for a status page. */
export async function publicWindows(db: Db, accountId: number, now: number) {
  const all = await listWindows({ db, clock: { now: () => now }, policy: { selfHosted: true, minIntervalSeconds: 1, retentionDays: 1 } }, accountId);
  const horizon = now + 7 * 24 * 60 * MINUTE;
  return all
    .filter((w) => w.state === 'active' || (w.next && w.next.from < horizon))
    .map((w) => ({ id: w.id, title: w.title, active: w.state === 'active', window: (w.current ?? w.next)!, monitorIds: w.monitorIds }));
}
