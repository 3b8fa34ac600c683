import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import * as repo from './billing.repository.ts';
import { applyPlanIn, type PlanChange, type PlanChangeReason } from './plan-change.ts';
import { isPlanId, type PlanId, type PlanPolicy } from './plans.ts';

export interface StripeEventDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  /** Stripe price ids of the paid plans (STRIPE_PRICE_PRO / STRIPE_PRICE_BUSINESS). */
  prices: { pro: string; business: string };
}

/** The parts of a verified Stripe event this handler reads. */
export interface StripeEventLike {
  id: string;
  type: string;
  /** Seconds since the epoch, when Stripe created the event. */
  created?: number;
  data: { object: unknown };
}

export interface EventOutcome {
  /** Already processed earlier (a replay): nothing was done. */
  duplicate: boolean;
  /** False for event types we do not act on, or events about no account of ours. */
  handled: boolean;
  /** A plan change to tell the owner about (after the transaction commits). */
  change: PlanChange | null;
}

const ACTOR = { system: 'stripe' } as const;

// Minimal shapes of the Stripe objects read below; ids may arrive expanded or as strings.
type Ref = string | { id: string } | null | undefined;
interface SessionLike { client_reference_id?: string | null; customer?: Ref; subscription?: Ref; status?: string | null; payment_status?: string; metadata?: Record<string, string> | null }
interface SubscriptionLike {
  id: string;
  customer: Ref;
  status: string;
  cancel_at_period_end?: boolean;
  metadata?: Record<string, string> | null;
  items?: { data?: { price?: { id?: string }; current_period_end?: number }[] };
}
interface InvoiceLike { customer?: Ref }

const refId = (r: Ref): string | null => (typeof r === 'string' ? r : (r?.id ?? null));

/** Subscription statuses that keep the paid plan; anything ending the subscription means Free. */
const PAID = new Set(['active', 'trialing']);
const ENDED = new Set(['canceled', 'unpaid', 'incomplete_expired', 'paused']);

export function planForPrice(prices: StripeEventDeps['prices'], priceId: string | undefined): PlanId | null {
  if (priceId === prices.pro) return 'pro';
  if (priceId === prices.business) return 'business';
  return null;
}

/**
 * Applies one verified webhook event. The event id is inserted first, in the same
 * transaction as its effect, so a replay (Stripe retries, or an attacker resending a
 * captured request) finds it and does nothing, and a crash leaves neither.
 */
export async function handleStripeEvent(deps: StripeEventDeps, event: StripeEventLike): Promise<EventOutcome> {
  return writeTx(deps.db, async (trx) => {
    const now = deps.clock.now();
    if (!(await repo.recordEvent(trx, { id: event.id, type: event.type, at: now }))) return { duplicate: true, handled: false, change: null };
    const obj = event.data.object;
    const at = (event.created ?? now / 1000) * 1000;
    switch (event.type) {
      case 'checkout.session.completed':
        return outcome(await checkoutCompleted(trx, deps, obj as SessionLike));
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return outcome(await subscriptionChanged(trx, deps, obj as SubscriptionLike, event.type === 'customer.subscription.deleted', at));
      case 'invoice.payment_failed':
        return outcome(await paymentFailed(trx, deps, obj as InvoiceLike, at));
      case 'invoice.paid':
      case 'invoice.payment_succeeded':
        return outcome(await paymentSucceeded(trx, deps, obj as InvoiceLike, at));
      default:
        return { duplicate: false, handled: false, change: null };
    }
  });
}

function outcome(r: { handled: boolean; change: PlanChange | null }): EventOutcome {
  return { duplicate: false, ...r };
}

const NOTHING = { handled: false, change: null };

async function checkoutCompleted(trx: Trx, deps: StripeEventDeps, s: SessionLike) {
  const accountId = Number(s.client_reference_id);
  const account = Number.isSafeInteger(accountId) && accountId > 0 ? await repo.findBilling(trx, accountId) : undefined;
  if (!account) return NOTHING;
  const customer = refId(s.customer);
  const subscription = refId(s.subscription);
  const plan = s.metadata?.plan;
  const paid = s.status === 'complete' && (s.payment_status === 'paid' || s.payment_status === 'no_payment_required');
  await repo.updateBilling(trx, account.id, {
    ...(customer && !account.stripe_customer_id ? { stripe_customer_id: customer } : {}),
    ...(subscription ? { stripe_subscription_id: subscription } : {}),
    ...(paid ? { subscription_status: 'active', payment_failed_at: null } : {}),
  });
  await recordAudit(trx, { accountId: account.id, actor: ACTOR, action: 'billing.checkout_completed', target: `plan ${plan ?? '?'}`, details: { subscription, paid }, at: deps.clock.now() });
  const change = paid && plan && isPlanId(plan) && plan !== 'free' ? await applyPlanIn(trx, deps.clock, deps.policy, account.id, plan, 'checkout', ACTOR) : null;
  return { handled: true, change };
}

async function findAccountFor(trx: Trx, customer: Ref, metadata?: Record<string, string> | null) {
  const c = refId(customer);
  const byCustomer = c ? await repo.findBillingByCustomer(trx, c) : undefined;
  if (byCustomer) return byCustomer;
  const id = Number(metadata?.account_id);
  return Number.isSafeInteger(id) && id > 0 ? repo.findBilling(trx, id) : undefined;
}

/**
 * The account a subscription or invoice event is about, unless the event is older than one
 * already applied: Stripe does not promise order, and a late retry of an old "active" must
 * not undo a newer cancellation.
 */
async function accountFor(trx: Trx, at: number, customer: Ref, metadata?: Record<string, string> | null) {
  const account = await findAccountFor(trx, customer, metadata);
  if (!account) return { account: undefined, stale: false };
  if (account.stripe_event_at !== null && at < account.stripe_event_at) return { account, stale: true };
  await repo.updateBilling(trx, account.id, { stripe_event_at: at });
  return { account, stale: false };
}

/**
 * Subscription created/updated/deleted: the status and price decide the plan.
 * active/trialing → the price's plan (a successful payment also ends a grace period);
 * past_due → unchanged, the grace period runs; canceled/unpaid/deleted → Free;
 * incomplete → unchanged until the first payment succeeds.
 * Events about a subscription other than the account's current one cannot end it.
 */
async function subscriptionChanged(trx: Trx, deps: StripeEventDeps, sub: SubscriptionLike, deleted: boolean, at: number) {
  const { account, stale } = await accountFor(trx, at, sub.customer, sub.metadata);
  if (!account) return NOTHING;
  if (stale) return { handled: true, change: null };
  const now = deps.clock.now();
  const status = deleted ? 'canceled' : sub.status;
  const current = account.stripe_subscription_id;
  if (current && current !== sub.id && !PAID.has(status)) return { handled: true, change: null };
  const item = sub.items?.data?.[0];
  const periodEnd = item?.current_period_end ? item.current_period_end * 1000 : null;
  await repo.updateBilling(trx, account.id, {
    subscription_status: status,
    stripe_subscription_id: ENDED.has(status) ? null : sub.id,
    current_period_end: ENDED.has(status) ? null : periodEnd,
    cancel_at_period_end: !ENDED.has(status) && sub.cancel_at_period_end ? 1 : 0,
    ...(PAID.has(status) ? { payment_failed_at: null } : {}),
    ...(status === 'past_due' && account.payment_failed_at === null && account.plan !== 'free' ? { payment_failed_at: now } : {}),
  });
  await recordAudit(trx, { accountId: account.id, actor: ACTOR, action: 'billing.subscription_updated', target: `subscription ${sub.id}`, details: { status, price: item?.price?.id ?? null }, at: now });
  let plan: PlanId | null = null;
  let reason: PlanChangeReason = 'subscription';
  if (PAID.has(status)) plan = planForPrice(deps.prices, item?.price?.id);
  else if (ENDED.has(status)) [plan, reason] = ['free', 'canceled'];
  const change = plan ? await applyPlanIn(trx, deps.clock, deps.policy, account.id, plan, reason, ACTOR) : null;
  return { handled: true, change };
}

/** Starts the grace period (once: Stripe's retries do not extend it). */
async function paymentFailed(trx: Trx, deps: StripeEventDeps, invoice: InvoiceLike, at: number) {
  const { account, stale } = await accountFor(trx, at, invoice.customer);
  if (!account) return NOTHING;
  if (!stale && account.payment_failed_at === null && account.plan !== 'free') {
    const now = deps.clock.now();
    await repo.updateBilling(trx, account.id, { payment_failed_at: now });
    await recordAudit(trx, { accountId: account.id, actor: ACTOR, action: 'billing.payment_failed', target: `plan ${account.plan}`, at: now });
  }
  return { handled: true, change: null };
}

async function paymentSucceeded(trx: Trx, deps: StripeEventDeps, invoice: InvoiceLike, at: number) {
  const { account, stale } = await accountFor(trx, at, invoice.customer);
  if (!account) return NOTHING;
  if (!stale && account.payment_failed_at !== null) {
    const now = deps.clock.now();
    await repo.updateBilling(trx, account.id, { payment_failed_at: null });
    await recordAudit(trx, { accountId: account.id, actor: ACTOR, action: 'billing.payment_recovered', target: `plan ${account.plan}`, at: now });
  }
  return { handled: true, change: null };
}
