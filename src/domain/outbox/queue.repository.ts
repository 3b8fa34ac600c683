import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/**
 * The database as a queue, shared by every outbox table (alerts in `outbox`, status-page
 * notices in `subscriber_outbox`). The tables differ in what they carry but share the
 * delivery columns below; `group` is the column fairness is counted by (an account for
 * alerts, a page for subscriber notices).
 */
export interface QueueSpec {
  table: 'outbox' | 'subscriber_outbox';
  group: 'account_id' | 'page_id';
}

export const ALERT_QUEUE: QueueSpec = { table: 'outbox', group: 'account_id' };
export const SUBSCRIBER_QUEUE: QueueSpec = { table: 'subscriber_outbox', group: 'page_id' };

/** The delivery columns every outbox table has, plus both possible group columns. */
interface QueueCols {
  id: number;
  idempotency_key: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  sent_at: number | null;
  account_id: number;
  page_id: number;
}

type DbLike = Kysely<Database>;
// Both tables have the columns named in QueueCols (the group column being one of the two),
// so viewing them through one shape lets a single implementation serve both.
const asQueue = (db: DbLike) => db as unknown as Kysely<Record<QueueSpec['table'], QueueCols>>;

export type Finish = { status: 'pending' | 'sent' | 'failed'; attempts: number; next_attempt_at?: number; sent_at?: number; last_error: string | null };

/** Inserts rows; a row whose idempotency key exists already is skipped. Returns how many were added. */
export async function enqueueRows<T extends QueueSpec['table']>(db: DbLike, table: T, rows: Array<Record<string, unknown>>): Promise<number> {
  let n = 0;
  for (const row of rows) {
    const r = await asQueue(db)
      .insertInto(table)
      .values(row as never)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (r) n++;
  }
  return n;
}

/**
 * Rows due now and not held by a live claim, fairly: up to `perGroup` of the oldest rows
 * of each group that has any, so one account's (or page's) backlog cannot hide the others'.
 */
export async function dueRows(db: DbLike, spec: QueueSpec, now: number, perGroup: number, maxGroups = 200): Promise<Array<{ id: number; group: number }>> {
  const q = asQueue(db);
  const baseDue = () =>
    q
      .selectFrom(spec.table)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]));
  const groups = await baseDue().select(`${spec.group} as group`).distinct().limit(maxGroups).execute();
  const rows: Array<{ id: number; group: number }> = [];
  for (const { group } of groups) {
    rows.push(...(await baseDue().select(['id', `${spec.group} as group`]).where(spec.group, '=', group).orderBy('next_attempt_at').limit(perGroup).execute()));
  }
  return rows;
}

/**
 * Claims a row for one attempt with a conditional update; only the caller whose update
 * changed the row may send it. An expired claim (a crash mid-send) can be taken again.
 */
export async function claimRow(db: DbLike, spec: QueueSpec, id: number, now: number, leaseMs: number): Promise<boolean> {
  const r = await asQueue(db)
    .updateTable(spec.table)
    .set({ claimed_until: now + leaseMs })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Records the end of an attempt, only if the caller still holds its claim: a worker whose
 * lease ran out (and whose row another worker took) cannot overwrite the newer outcome.
 */
export async function finishRow(db: DbLike, spec: QueueSpec, id: number, claimedUntil: number | null, values: Finish): Promise<boolean> {
  let q = asQueue(db).updateTable(spec.table).set({ ...values, claimed_until: null }).where('id', '=', id).where('status', '=', 'pending');
  q = claimedUntil === null ? q.where('claimed_until', 'is', null) : q.where('claimed_until', '=', claimedUntil);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
