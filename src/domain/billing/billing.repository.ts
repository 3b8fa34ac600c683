import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

/**
 * Queries of the billing context: the account's Stripe state, processed webhook events, and
 * the monitor and page rows a plan change touches (always scoped to one account).
 */

const BILLING_COLUMNS = [
  'id', 'name', 'plan', 'stripe_customer_id', 'stripe_subscription_id', 'subscription_status', 'payment_failed_at', 'plan_changed_at', 'plan_notice',
  'current_period_end', 'cancel_at_period_end', 'stripe_event_at',
] as const;

/** The account's plan and Stripe state, as stored. */
export type BillingRow = Pick<Selectable<Database['accounts']>, (typeof BILLING_COLUMNS)[number]>;

export async function findBilling(db: DbLike, accountId: number): Promise<BillingRow | undefined> {
  return db.selectFrom('accounts').select(BILLING_COLUMNS).where('id', '=', accountId).executeTakeFirst();
}

export async function findBillingByCustomer(db: DbLike, customerId: string): Promise<BillingRow | undefined> {
  return db.selectFrom('accounts').select(BILLING_COLUMNS).where('stripe_customer_id', '=', customerId).executeTakeFirst();
}

export async function updateBilling(db: DbLike, accountId: number, values: Updateable<Database['accounts']>): Promise<void> {
  await db.updateTable('accounts').set(values).where('id', '=', accountId).execute();
}

/** Keeps the first customer saved, so two upgrades racing cannot swap it; returns the one kept. */
export async function saveCustomer(db: DbLike, accountId: number, customerId: string): Promise<string> {
  await db.updateTable('accounts').set({ stripe_customer_id: customerId }).where('id', '=', accountId).where('stripe_customer_id', 'is', null).execute();
  const r = await db.selectFrom('accounts').select('stripe_customer_id').where('id', '=', accountId).executeTakeFirstOrThrow();
  return r.stripe_customer_id ?? customerId;
}

/** Records a webhook event id; false when it was already processed (a replay). */
export async function recordEvent(db: DbLike, e: { id: string; type: string; at: number }): Promise<boolean> {
  const r = await db
    .insertInto('stripe_events')
    .values({ id: e.id, type: e.type, received_at: e.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Paid accounts whose grace period after a failed payment started before `before`. */
export async function accountsPastGrace(db: DbLike, before: number): Promise<number[]> {
  const rows = await db.selectFrom('accounts').select('id').where('payment_failed_at', '<=', before).where('plan', '!=', 'free').execute();
  return rows.map((r) => r.id);
}

export interface PlanMonitor {
  id: number;
  name: string;
  type: string;
  interval_s: number;
  is_paused: number;
  paused_reason: string | null;
}

/** The account's monitors, oldest first (the order in which they keep running on a smaller plan). */
export async function monitorsOldestFirst(db: DbLike, accountId: number): Promise<PlanMonitor[]> {
  return db
    .selectFrom('monitors')
    .select(['id', 'name', 'type', 'interval_s', 'is_paused', 'paused_reason'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function pauseForPlan(db: DbLike, accountId: number, ids: number[], now: number): Promise<void> {
  if (!ids.length) return;
  await db.updateTable('monitors').set({ is_paused: 1, paused_reason: 'plan', updated_at: now }).where('account_id', '=', accountId).where('id', 'in', ids).execute();
}

export async function resumeFromPlan(db: DbLike, accountId: number, ids: number[], now: number): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('monitors')
    .set({ is_paused: 0, paused_reason: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('paused_reason', '=', 'plan')
    .execute();
}

export async function raiseIntervals(db: DbLike, accountId: number, minSeconds: number, now: number): Promise<void> {
  await db.updateTable('monitors').set({ interval_s: minSeconds, updated_at: now }).where('account_id', '=', accountId).where('interval_s', '<', minSeconds).execute();
}

/** Turns "hide Powered by" off on the account's pages; returns how many pages had it on. */
export async function showPoweredBy(db: DbLike, accountId: number): Promise<number> {
  const r = await db.updateTable('status_pages').set({ hide_powered_by: 0 }).where('account_id', '=', accountId).where('hide_powered_by', '=', 1).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function customDomainCount(db: DbLike, accountId: number): Promise<number> {
  const r = await db
    .selectFrom('status_pages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('custom_domain', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Kinds of the account's enabled alert channels, one entry per channel. */
export async function channelKinds(db: DbLike, accountId: number): Promise<string[]> {
  const rows = await db.selectFrom('alert_channels').select('kind').where('account_id', '=', accountId).where('disabled_at', 'is', null).execute();
  return rows.map((r) => r.kind);
}
