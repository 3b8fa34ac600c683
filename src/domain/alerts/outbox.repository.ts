import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;
export type OutboxRow = Database['outbox'] & { id: number };

/** Inserts alert rows; a row whose idempotency key exists already is skipped. */
export async function enqueue(db: DbLike, rows: Array<Insertable<Database['outbox']>>): Promise<number> {
  let n = 0;
  for (const row of rows) {
    const r = await db.insertInto('outbox').values(row).onConflict((oc) => oc.column('idempotency_key').doNothing()).returning('id').executeTakeFirst();
    if (r) n++;
  }
  return n;
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

/**
 * Rows due now and not held by a live claim, fairly: up to `perAccount` of the oldest rows
 * of each account that has any, so one account's backlog cannot hide the others'.
 */
export async function due(db: DbLike, now: number, perAccount: number, maxAccounts = 200) {
  const baseDue = () =>
    db
      .selectFrom('outbox')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]));
  const accounts = await baseDue().select('account_id').distinct().limit(maxAccounts).execute();
  const rows: Array<{ id: number; account_id: number }> = [];
  for (const { account_id } of accounts) {
    rows.push(...(await baseDue().select(['id', 'account_id']).where('account_id', '=', account_id).orderBy('next_attempt_at').limit(perAccount).execute()));
  }
  return rows;
}

/**
 * Claims a row for one attempt with a conditional update; only the caller whose update
 * changed the row may send it. An expired claim (a crash mid-send) can be taken again.
 */
export async function claim(db: DbLike, id: number, now: number, leaseMs: number): Promise<OutboxRow | undefined> {
  const r = await db
    .updateTable('outbox')
    .set({ claimed_until: now + leaseMs })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return undefined;
  return (await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst()) as OutboxRow | undefined;
}

/**
 * Records the end of an attempt, only if the caller still holds its claim: a worker whose
 * lease ran out (and whose row another worker took) cannot overwrite the newer outcome.
 */
export async function finishAttempt(
  db: DbLike,
  id: number,
  claimedUntil: number | null,
  values: { status: 'pending' | 'sent' | 'failed'; attempts: number; next_attempt_at?: number; sent_at?: number; last_error: string | null },
): Promise<boolean> {
  let q = db.updateTable('outbox').set({ ...values, claimed_until: null }).where('id', '=', id).where('status', '=', 'pending');
  q = claimedUntil === null ? q.where('claimed_until', 'is', null) : q.where('claimed_until', '=', claimedUntil);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
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
