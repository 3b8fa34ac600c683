import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { WindowRow } from './maintenance.ts';

type DbLike = Kysely<Database>;

const COLUMNS = ['maintenance_windows.id', 'title', 'starts_at', 'ends_at', 'cron', 'duration_minutes', 'timezone', 'ended_at'] as const;

/** Every window covering the monitor, of any state (the caller works out which occurrence is on). */
export async function windowsOfMonitor(db: DbLike, monitorId: number): Promise<WindowRow[]> {
  return (await db
    .selectFrom('maintenance_windows')
    .innerJoin('maintenance_monitors', 'maintenance_monitors.window_id', 'maintenance_windows.id')
    .select(COLUMNS)
    .where('maintenance_monitors.monitor_id', '=', monitorId)
    .execute()) as WindowRow[];
}

/** The same, scoped to the account (SLA reports). */
export async function windowsOfMonitorInAccount(db: DbLike, accountId: number, monitorId: number): Promise<WindowRow[]> {
  return (await db
    .selectFrom('maintenance_windows')
    .innerJoin('maintenance_monitors', 'maintenance_monitors.window_id', 'maintenance_windows.id')
    .select(COLUMNS)
    .where('maintenance_windows.account_id', '=', accountId)
    .where('maintenance_monitors.monitor_id', '=', monitorId)
    .execute()) as WindowRow[];
}

/** The account's windows, newest first. */
export async function listForAccount(db: DbLike, accountId: number): Promise<WindowRow[]> {
  return (await db
    .selectFrom('maintenance_windows')
    .select(['id', 'title', 'starts_at', 'ends_at', 'cron', 'duration_minutes', 'timezone', 'ended_at'])
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .execute()) as WindowRow[];
}

/** Which monitors each of the windows covers. */
export async function monitorLinks(db: DbLike, windowIds: number[]): Promise<Array<{ window_id: number; monitor_id: number }>> {
  if (windowIds.length === 0) return [];
  return db.selectFrom('maintenance_monitors').select(['window_id', 'monitor_id']).where('window_id', 'in', windowIds).execute();
}

/** Ids of the account's monitors, to keep a window to the account's own. */
export async function monitorIdsOfAccount(db: DbLike, accountId: number): Promise<number[]> {
  return (await db.selectFrom('monitors').select('id').where('account_id', '=', accountId).execute()).map((m) => m.id);
}

export async function insertWindow(
  db: DbLike,
  v: Omit<WindowRow, 'id' | 'ended_at'> & { accountId: number; monitorIds: number[]; now: number },
): Promise<number> {
  const r = await db
    .insertInto('maintenance_windows')
    .values({
      account_id: v.accountId,
      title: v.title,
      starts_at: v.starts_at,
      ends_at: v.ends_at,
      cron: v.cron,
      duration_minutes: v.duration_minutes,
      timezone: v.timezone,
      ended_at: null,
      created_at: v.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('maintenance_monitors').values(v.monitorIds.map((monitor_id) => ({ window_id: r.id, monitor_id }))).execute();
  return r.id;
}

export async function findTitle(db: DbLike, accountId: number, id: number): Promise<{ id: number; title: string } | undefined> {
  return db.selectFrom('maintenance_windows').select(['id', 'title']).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function markEnded(db: DbLike, accountId: number, id: number, at: number): Promise<void> {
  await db.updateTable('maintenance_windows').set({ ended_at: at }).where('account_id', '=', accountId).where('id', '=', id).execute();
}

export async function deleteWindow(db: DbLike, accountId: number, id: number): Promise<void> {
  await db.deleteFrom('maintenance_windows').where('account_id', '=', accountId).where('id', '=', id).execute();
}
