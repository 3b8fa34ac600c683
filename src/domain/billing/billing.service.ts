import Stripe from 'stripe';
import type { Db } from '../../db/create-db.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import * as repo from './billing.repository.ts';
import { graceEndsAt } from './grace.ts';
import { describeChange } from './notify.ts';
import { parseNotice } from './plan-change.ts';
import { isPlanId, limitsFor, PLAN_IDS, PLAN_INFO, type PlanId, type PlanPolicy } from './plans.ts';

export interface BillingDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  logger: Logger;
  stripe: Stripe;
  prices: { pro: string; business: string };
  baseUrl: string;
}

/** Who asks, for the audit log and the Stripe customer's email. */
export interface BillingActor {
  userId: number;
  email: string;
  ip?: string | null;
}

/** Subscription states in which the customer changes plan in the Billing Portal, not a new Checkout. */
const LIVE = new Set(['active', 'trialing', 'past_due', 'incomplete']);

const planName = (p: string) => (isPlanId(p) ? PLAN_INFO[p].name : p);

/** Everything the billing page shows. */
export async function billingOverview(deps: Pick<BillingDeps, 'db' | 'policy'>, accountId: number) {
  const a = await repo.findBilling(deps.db, accountId);
  if (!a) throw new NotFoundError('Account');
  const plans = PLAN_IDS.map((id) => ({ id, ...PLAN_INFO[id], limits: limitsFor(deps.policy, id), current: a.plan === id }));
  const notice = parseNotice(a.plan_notice);
  return {
    plan: isPlanId(a.plan) ? a.plan : ('free' as PlanId),
    plans,
    status: a.subscription_status,
    subscribed: a.stripe_subscription_id !== null && LIVE.has(a.subscription_status ?? ''),
    hasCustomer: a.stripe_customer_id !== null,
    currentPeriodEnd: a.current_period_end,
    cancelAtPeriodEnd: a.cancel_at_period_end === 1,
    graceEndsAt: a.payment_failed_at === null ? null : graceEndsAt(a.payment_failed_at),
    notice: notice && { ...notice, lines: describeChange(notice), fromName: planName(notice.from), toName: planName(notice.to) },
  };
}

/** The dashboard's billing banners, for every member: a running grace period and the last plan-change notice. */
export async function billingBanners(deps: Pick<BillingDeps, 'db' | 'policy'>, accountId: number) {
  if (deps.policy.selfHosted) return { graceEndsAt: null, notice: null };
  const { graceEndsAt, notice } = await billingOverview(deps, accountId);
  return { graceEndsAt, notice };
}

export async function dismissNotice(deps: Pick<BillingDeps, 'db'>, accountId: number): Promise<void> {
  await repo.updateBilling(deps.db, accountId, { plan_notice: null });
}

/** Stripe's own errors become a message on the billing page, never a 500. */
function unavailable(deps: BillingDeps, err: unknown, what: string): never {
  if (!(err instanceof Stripe.errors.StripeError)) throw err;
  deps.logger.warn({ type: err.type, code: err.code, status: err.statusCode, message: err.message }, `Stripe: ${what} failed`);
  const unreachable = err instanceof Stripe.errors.StripeConnectionError || (err.statusCode ?? 0) >= 500;
  throw new AppError(
    'billing_unavailable',
    unreachable
      ? `We could not reach Stripe to ${what}. Nothing was charged; please try again in a few minutes.`
      : `Stripe refused to ${what}. Nothing was charged; please try again, or contact support if it keeps happening.`,
    502,
  );
}

async function ensureCustomer(deps: BillingDeps, accountId: number, actor: BillingActor): Promise<string> {
  const a = await repo.findBilling(deps.db, accountId);
  if (!a) throw new NotFoundError('Account');
  if (a.stripe_customer_id) return a.stripe_customer_id;
  const customer = await deps.stripe.customers.create({ email: actor.email, name: a.name, metadata: { account_id: String(accountId) } });
  return repo.saveCustomer(deps.db, accountId, customer.id);
}

/**
 * Starts a Stripe Checkout for a paid plan and returns its URL. The account id travels as
 * client_reference_id (and in metadata) so the webhook knows whose payment it was.
 */
export async function startCheckout(deps: BillingDeps, accountId: number, actor: BillingActor, rawPlan: string | undefined): Promise<string> {
  const plan = rawPlan ?? '';
  if (plan !== 'pro' && plan !== 'business') throw new ValidationError('Choose the Pro or Business plan.', { plan: 'Choose the Pro or Business plan' });
  const overview = await billingOverview(deps, accountId);
  if (overview.subscribed) throw new ValidationError('You already have a subscription: change or cancel it with "Manage billing".');
  try {
    const customer = await ensureCustomer(deps, accountId, actor);
    const back = `${deps.baseUrl}/settings/billing`;
    const session = await deps.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: String(accountId),
      line_items: [{ price: deps.prices[plan], quantity: 1 }],
      success_url: `${back}?checkout=success`,
      cancel_url: `${back}?checkout=canceled`,
      metadata: { account_id: String(accountId), plan },
      subscription_data: { metadata: { account_id: String(accountId), plan } },
    });
    if (!session.url) throw new AppError('billing_unavailable', 'Stripe did not return a payment page. Please try again.', 502);
    await recordAudit(deps.db, { accountId, actor: { userId: actor.userId, email: actor.email }, action: 'billing.checkout_started', target: `plan ${plan}`, details: { session: session.id }, ip: actor.ip, at: deps.clock.now() });
    return session.url;
  } catch (err) {
    return unavailable(deps, err, 'start the payment');
  }
}

/** A Billing Portal session (card, invoices, plan change, cancellation); returns its URL. */
export async function openPortal(deps: BillingDeps, accountId: number, actor: BillingActor): Promise<string> {
  const a = await repo.findBilling(deps.db, accountId);
  if (!a) throw new NotFoundError('Account');
  if (!a.stripe_customer_id) throw new ValidationError('There is no billing account yet: choose a paid plan first.');
  try {
    const session = await deps.stripe.billingPortal.sessions.create({ customer: a.stripe_customer_id, return_url: `${deps.baseUrl}/settings/billing` });
    await recordAudit(deps.db, { accountId, actor: { userId: actor.userId, email: actor.email }, action: 'billing.portal_opened', ip: actor.ip, at: deps.clock.now() });
    return session.url;
  } catch (err) {
    return unavailable(deps, err, 'open the billing portal');
  }
}
