import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import * as queue from '../outbox/queue.repository.ts';

type DbLike = Kysely<Database>;
export type OutboxRow = Database['outbox'] & { id: number };

/** Inserts alert rows; a row whose idempotency key exists already is skipped. */
export function enqueue(db: DbLike, rows: Array<Insertable<Database['outbox']>>): Promise<number> {
  return queue.enqueueRows(db, 'outbox', rows);
}

export async function hasEvent(db: DbLike, incidentId: number, channelId: number, event: string): Promise<boolean> {
  const r = await db
    .selectFrom('outbox')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('channel_id', '=', channelId)
    .where('event', '=', event)
    .executeTakeFirst();
  return !!r;
}

export async function findById(db: DbLike, id: number): Promise<OutboxRow | undefined> {
  return (await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst()) as OutboxRow | undefined;
}

export async function findByKey(db: DbLike, idempotencyKey: string): Promise<OutboxRow | undefined> {
  return (await db.selectFrom('outbox').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst()) as OutboxRow | undefined;
}

/** The account's test messages since `since`: which channel, and when. */
export function testsSince(db: DbLike, accountId: number, since: number): Promise<Array<{ channel_id: number; created_at: number }>> {
  return db
    .selectFrom('outbox')
    .select(['channel_id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('event', '=', 'test')
    .where('created_at', '>', since)
    .execute();
}

/** Due alert rows, fairly per account (see queue.dueRows). */
export async function due(db: DbLike, now: number, perAccount: number, maxAccounts = 200) {
  return (await queue.dueRows(db, queue.ALERT_QUEUE, now, perAccount, maxAccounts)).map((r) => ({ id: r.id, account_id: r.group }));
}

/** Claims an alert row for one attempt (see queue.claimRow) and returns it, or undefined if another worker holds it. */
export async function claim(db: DbLike, id: number, now: number, leaseMs: number): Promise<OutboxRow | undefined> {
  if (!(await queue.claimRow(db, queue.ALERT_QUEUE, id, now, leaseMs))) return undefined;
  return findById(db, id);
}

export function finishAttempt(db: DbLike, id: number, claimedUntil: number | null, values: queue.Finish): Promise<boolean> {
  return queue.finishRow(db, queue.ALERT_QUEUE, id, claimedUntil, values);
}

export async function logDelivery(
  db: DbLike,
  v: { outboxId: number; accountId: number; channelId: number; attempt: number; at: number; ok: boolean; response: string | null; error: string | null },
) {
  await db
    .insertInto('deliveries')
    .values({
      outbox_id: v.outboxId,
      account_id: v.accountId,
      channel_id: v.channelId,
      attempt: v.attempt,
      attempted_at: v.at,
      ok: v.ok ? 1 : 0,
      response: v.response,
      error: v.error,
    })
    .execute();
}

/** A channel's delivery attempts, newest first, with the event and monitor name. */
export async function deliveryLog(db: DbLike, accountId: number, channelId: number, offset: number, limit: number) {
  return db
    .selectFrom('deliveries')
    .innerJoin('outbox', 'outbox.id', 'deliveries.outbox_id')
    .leftJoin('monitors', 'monitors.id', 'outbox.monitor_id')
    .select([
      'deliveries.id',
      'deliveries.attempted_at',
      'deliveries.attempt',
      'deliveries.ok',
      'deliveries.response',
      'deliveries.error',
      'outbox.event',
      'outbox.status',
      'monitors.name as monitor_name',
    ])
    .where('deliveries.account_id', '=', accountId)
    .where('deliveries.channel_id', '=', channelId)
    .orderBy('deliveries.attempted_at', 'desc')
    .orderBy('deliveries.id', 'desc')
    .offset(offset)
    .limit(limit)
    .execute();
}

/** Alerts that gave up, for the account's banner. */
export async function failedForAccount(db: DbLike, accountId: number, limit = 10) {
  return db
    .selectFrom('outbox')
    .innerJoin('alert_channels', 'alert_channels.id', 'outbox.channel_id')
    .select(['outbox.id', 'outbox.event', 'outbox.last_error', 'outbox.created_at', 'alert_channels.name as channel_name', 'alert_channels.id as channel_id'])
    .where('outbox.account_id', '=', accountId)
    .where('outbox.status', '=', 'failed')
    .where('outbox.event', '!=', 'test')
    .orderBy('outbox.created_at', 'desc')
    .limit(limit)
    .execute();
}
