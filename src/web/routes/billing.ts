import { type Context, Hono } from 'hono';
import { billingOverview, dismissNotice, openPortal, startCheckout, type BillingDeps } from '../../domain/billing/billing.service.ts';
import { mailPlanChange } from '../../domain/billing/notify.ts';
import { handleStripeEvent } from '../../domain/billing/stripe-events.ts';
import { AppError, NotFoundError } from '../../lib/errors.ts';
import { createStripeClient, type StripeClient } from '../../lib/stripe.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { redirectAfterPost } from '../forms.ts';
import { assertCan } from '../middleware/roles.ts';
import { contentSecurityPolicy } from '../middleware/security-headers.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

const CHECKOUT_MESSAGES: Record<string, string> = {
  success: 'Thank you! Your plan changes as soon as Stripe confirms the payment, usually within a few seconds. Reload this page if it has not yet.',
  canceled: 'Payment canceled: nothing was charged and your plan is unchanged.',
};

/** The Stripe client, built once per app; null on a self-hosted instance (no billing at all). */
export function billingClient(deps: WebDeps): StripeClient | null {
  return deps.config.stripe ? createStripeClient(deps.config.stripe) : null;
}

function billingDeps(deps: WebDeps, stripe: StripeClient | null): BillingDeps {
  // Without Stripe the billing pages do not exist, for anyone.
  if (!stripe || !deps.config.stripe) throw new NotFoundError('Page');
  const { db, clock, policy, logger, config } = deps;
  return { db, clock, policy, logger, stripe, prices: config.stripe!.prices, baseUrl: config.baseUrl };
}

function actor(c: Context<AppEnv>) {
  const { user } = authOf(c);
  return { userId: user.id, email: user.email, ip: c.get('clientIp') };
}

/** Where Stripe's Checkout and Billing Portal live (or the stand-in of STRIPE_API_BASE). */
function stripeOrigins(web: WebDeps): string[] {
  const base = web.config.stripe?.apiBase;
  return ['https://checkout.stripe.com', 'https://billing.stripe.com', ...(base ? [new URL(base).origin] : [])];
}

async function page(c: Context<AppEnv>, deps: BillingDeps, extra: { error?: string; status?: number } = {}) {
  const overview = await billingOverview(deps, authOf(c).account.id);
  // The Upgrade and Manage forms post here and are redirected to Stripe: form-action must allow it.
  c.header('Content-Security-Policy', contentSecurityPolicy(false, stripeOrigins(c.get('deps'))));
  const message = CHECKOUT_MESSAGES[c.req.query('checkout') ?? ''];
  return html(c, 'pages/billing/index', { ...overview, message, error: extra.error, now: deps.clock.now() }, extra.status ?? 200);
}

/** Owner-only billing pages (signed in). */
export function billingRoutes(web: WebDeps, stripe: StripeClient | null) {
  const guard = (c: Context<AppEnv>) => {
    const deps = billingDeps(web, stripe);
    assertCan(c, 'billing.manage');
    return deps;
  };
  // A Stripe failure or a refused request is shown on the billing page itself.
  const orPage = async (c: Context<AppEnv>, deps: BillingDeps, go: () => Promise<string>) => {
    try {
      return c.redirect(await go(), 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return page(c, deps, { error: err.message, status: err.status });
    }
  };
  return new Hono<AppEnv>()
    .get('/settings/billing', (c) => page(c, guard(c)))
    .post('/settings/billing/checkout', (c) => {
      const deps = guard(c);
      return orPage(c, deps, () => startCheckout(deps, authOf(c).account.id, actor(c), c.get('form').plan));
    })
    .post('/settings/billing/portal', (c) => {
      const deps = guard(c);
      return orPage(c, deps, () => openPortal(deps, authOf(c).account.id, actor(c)));
    })
    .post('/settings/billing/notice/dismiss', async (c) => {
      await dismissNotice(guard(c), authOf(c).account.id);
      return redirectAfterPost(c, c.get('form').from === 'dashboard' ? '/dashboard' : '/settings/billing');
    });
}

/**
 * Stripe's webhook (public, before the session and CSRF middleware: Stripe's signature over
 * the raw body is the only credential). Errors answer 500 so Stripe retries later. Its body
 * budget (512 KB) is in middleware/body-limit.ts with the others.
 */
export function stripeWebhookRoutes(web: WebDeps, stripe: StripeClient | null) {
  return new Hono<AppEnv>().post(
    '/webhooks/stripe',
    async (c) => {
      const cfg = web.config.stripe;
      if (!cfg || !stripe) return c.json({ error: { code: 'not_found', message: 'Billing is not configured on this instance' } }, 404);
      const signature = c.req.header('stripe-signature');
      const raw = Buffer.from(await c.req.arrayBuffer());
      let event;
      try {
        if (!signature) throw new Error('no signature');
        event = stripe.webhooks.constructEvent(raw, signature, cfg.webhookSecret, undefined, undefined, web.clock.now());
      } catch {
        return c.json({ error: { code: 'bad_signature', message: 'The Stripe-Signature header does not match this body and secret' } }, 400);
      }
      try {
        const result = await handleStripeEvent({ db: web.db, clock: web.clock, policy: web.policy, prices: cfg.prices }, event);
        if (result.change) {
          // After the commit, and not awaited: Stripe should not wait on our mail server.
          void mailPlanChange({ db: web.db, mailer: web.delivery.mailer, baseUrl: web.config.baseUrl, logger: web.logger }, result.change);
        }
        return c.json({ received: true, duplicate: result.duplicate, handled: result.handled });
      } catch (err) {
        web.logger.error({ err, event: event.id, type: event.type }, 'Stripe event not processed');
        return c.json({ error: { code: 'internal', message: 'The event could not be processed; Stripe will send it again' } }, 500);
      }
    },
  );
}
