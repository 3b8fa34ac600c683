import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export interface Incident {
  id: number;
  accountId: number;
  monitorId: number;
  startedAt: number;
  resolvedAt: number | null;
  cause: string;
}

function toIncident(r: Selectable<Database['incidents']>): Incident {
  return { id: r.id, accountId: r.account_id, monitorId: r.monitor_id, startedAt: r.started_at, resolvedAt: r.resolved_at, cause: r.cause };
}

export async function open(db: DbLike, v: { accountId: number; monitorId: number; startedAt: number; cause: string }): Promise<number> {
  const r = await db
    .insertInto('incidents')
    .values({ account_id: v.accountId, monitor_id: v.monitorId, started_at: v.startedAt, resolved_at: null, cause: v.cause })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function findOpen(db: DbLike, monitorId: number): Promise<Incident | undefined> {
  const r = await db.selectFrom('incidents').selectAll().where('monitor_id', '=', monitorId).where('resolved_at', 'is', null).executeTakeFirst();
  return r && toIncident(r);
}

export async function lastResolved(db: DbLike, monitorId: number): Promise<Incident | undefined> {
  const r = await db
    .selectFrom('incidents')
    .selectAll()
    .where('monitor_id', '=', monitorId)
    .where('resolved_at', 'is not', null)
    .orderBy('resolved_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r && toIncident(r);
}

export async function resolveOpen(db: DbLike, monitorId: number, at: number): Promise<number> {
  const r = await db
    .updateTable('incidents')
    .set({ resolved_at: at })
    .where('monitor_id', '=', monitorId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function listForMonitor(db: DbLike, accountId: number, monitorId: number, limit = 20): Promise<Incident[]> {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('monitor_id', '=', monitorId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toIncident);
}

/** Recent incidents of public monitors: open ones, and those resolved since `since`. */
export async function listPublic(db: DbLike, accountId: number, since: number, limit = 20) {
  return db
    .selectFrom('incidents')
    .innerJoin('monitors', 'monitors.id', 'incidents.monitor_id')
    .select(['incidents.id', 'incidents.monitor_id', 'incidents.started_at', 'incidents.resolved_at', 'incidents.cause', 'monitors.name'])
    .where('incidents.account_id', '=', accountId)
    .where('monitors.is_public', '=', 1)
    .where((eb) => eb.or([eb('incidents.resolved_at', 'is', null), eb('incidents.resolved_at', '>=', since)]))
    .orderBy('incidents.started_at', 'desc')
    .limit(limit)
    .execute();
}

export interface IncidentFilter {
  state?: 'open' | 'resolved';
  monitorId?: number;
  /** Keyset paging: only incidents with a smaller id (newest first). */
  beforeId?: number;
  limit: number;
}

/** The account's monitor incidents, newest first, with the monitor's name. */
export async function listForAccount(db: DbLike, accountId: number, f: IncidentFilter) {
  let q = db
    .selectFrom('incidents')
    .innerJoin('monitors', 'monitors.id', 'incidents.monitor_id')
    .select(['incidents.id', 'incidents.monitor_id', 'incidents.started_at', 'incidents.resolved_at', 'incidents.cause', 'monitors.name as monitor_name'])
    .where('incidents.account_id', '=', accountId);
  if (f.state === 'open') q = q.where('incidents.resolved_at', 'is', null);
  if (f.state === 'resolved') q = q.where('incidents.resolved_at', 'is not', null);
  if (f.monitorId !== undefined) q = q.where('incidents.monitor_id', '=', f.monitorId);
  if (f.beforeId !== undefined) q = q.where('incidents.id', '<', f.beforeId);
  return q.orderBy('incidents.id', 'desc').limit(f.limit).execute();
}

export async function findInAccountWithMonitor(db: DbLike, accountId: number, id: number) {
  return db
    .selectFrom('incidents')
    .innerJoin('monitors', 'monitors.id', 'incidents.monitor_id')
    .select(['incidents.id', 'incidents.monitor_id', 'incidents.started_at', 'incidents.resolved_at', 'incidents.cause', 'monitors.name as monitor_name'])
    .where('incidents.account_id', '=', accountId)
    .where('incidents.id', '=', id)
    .executeTakeFirst();
}

/** State changes (incident opens and closes) of a monitor since `since`: how much it flaps. */
export async function stateChangesSince(db: DbLike, monitorId: number, since: number): Promise<number> {
  const opened = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('monitor_id', '=', monitorId)
    .where('started_at', '>=', since)
    .executeTakeFirstOrThrow();
  const closed = await db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('monitor_id', '=', monitorId)
    .where('resolved_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(opened.n) + Number(closed.n);
}
