import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

/** When the account's monitor was created (an SLA counts from then); undefined when it is not the account's. */
export function monitorOfAccount(db: DbLike, accountId: number, monitorId: number) {
  return db.selectFrom('monitors').select('created_at').where('account_id', '=', accountId).where('id', '=', monitorId).executeTakeFirst();
}

/** The monitor's degraded threshold and interval (unscoped: the caller has scoped the monitor). */
export function degradedSettings(db: DbLike, monitorId: number) {
  return db.selectFrom('monitors').select(['degraded_ms', 'interval_s']).where('id', '=', monitorId).executeTakeFirst();
}

/** The oldest raw result kept of any of the monitors, or null when there is none. */
export async function firstResultAt(db: DbLike, monitorIds: number[]): Promise<number | null> {
  if (monitorIds.length === 0) return null;
  const first = await db.selectFrom('check_results').select((eb) => eb.fn.min<number>('checked_at').as('t')).where('monitor_id', 'in', monitorIds).executeTakeFirst();
  return first?.t === null || first?.t === undefined ? null : Number(first.t);
}

/** Raw results in [from, to), oldest first: just what degraded time is computed from. */
export function resultsIn(db: DbLike, monitorId: number, from: number, to: number) {
  return db
    .selectFrom('check_results')
    .select(['checked_at', 'ok', 'response_ms'])
    .where('monitor_id', '=', monitorId)
    .where('checked_at', '>=', from)
    .where('checked_at', '<', to)
    .orderBy('checked_at')
    .execute();
}

/** The account's incidents of the monitor that overlap [from, to). */
export function incidentsOverlapping(db: DbLike, accountId: number, monitorId: number, from: number, to: number) {
  return db
    .selectFrom('incidents')
    .select(['started_at', 'resolved_at'])
    .where('account_id', '=', accountId)
    .where('monitor_id', '=', monitorId)
    .where('started_at', '<', to)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>', from)]))
    .execute();
}
