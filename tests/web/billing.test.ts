import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertMembership, insertUser } from '../../src/domain/accounts/accounts.repository.ts';
import { DAY, SECOND } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { hashPassword } from '../../src/lib/password.ts';
import { endGracePeriods } from '../../src/worker/grace.ts';
import { buildApp, Client, createMonitorVia, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.ts';

interface Mail { to: string; body: string }

describe.each(testDbKinds())('billing with Stripe on %s', (kind) => {
  let fake: FakeStripe;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: Mail[] = [];
  let t: TestDb;
  let built: ReturnType<typeof buildApp>;

  beforeAll(async () => {
    fake = await startFakeStripe();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        let body = '';
        stream.on('data', (d: Buffer) => (body += d.toString()));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), body });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await fake.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });
  beforeEach(async () => {
    t = await openTestDb(kind);
    built = buildApp(t.db, { ...fake.env(), SMTP_URL: `smtp://127.0.0.1:${smtpPort}` });
    fake.requests.length = 0;
    mails.length = 0;
  });
  afterEach(() => t.close());

  const account = (id: number) => t.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventCount = async () => (await t.db.selectFrom('stripe_events').select('id').execute()).length;

  async function ownerWithAccount(name = 'owner') {
    const owner = await persona(built.app, name);
    const row = await t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.account_id')
      .where('users.email', '=', owner.email)
      .executeTakeFirstOrThrow();
    return { owner, accountId: row.account_id };
  }

  /** A teammate with `role` in the account, logged in through the real form. */
  async function teammate(accountId: number, role: string) {
    const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
    const now = built.clock.now();
    const userId = await insertUser(t.db, { email, passwordHash: await hashPassword('teammate password'), isAdmin: false, now });
    await insertMembership(t.db, { accountId, userId, role, now });
    const client = new Client(built.app);
    expect((await client.post('/login', { email, password: 'teammate password' })).status).toBe(303);
    return client;
  }

  function deliver(e: { body: string; signature: string }) {
    return built.app.request('/webhooks/stripe', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': e.signature }, body: e.body });
  }
  const signed = (type: string, object: Record<string, unknown>, id?: string) => fake.signedEvent(type, object, { id, timestamp: Math.floor(built.clock.now() / 1000) });

  /** Owner clicks Upgrade, then Stripe reports a completed checkout and an active subscription. */
  async function subscribe(owner: Client, accountId: number, plan: 'pro' | 'business') {
    const res = await owner.post('/settings/billing/checkout', { plan });
    expect(res.status).toBe(303);
    const session = fake.sessions.get(res.headers.get('location')!.split('/').pop()!)!;
    const sub = fake.subscription({ customer: session.customer, price: fake.prices[plan], accountId });
    const completed = signed('checkout.session.completed', { ...session, status: 'complete', payment_status: 'paid', subscription: sub.id });
    const created = signed('customer.subscription.created', sub);
    expect((await deliver(completed)).status).toBe(200);
    expect((await deliver(created)).status).toBe(200);
    return { session, sub, created };
  }

  it('shows the three plans side by side with prices and limits, the current one marked, linked from Settings', async () => {
    const { owner } = await ownerWithAccount();
    expect(await (await owner.get('/settings')).text()).toContain('href="/settings/billing"');
    const res = await owner.get('/settings/billing');
    expect(res.status).toBe(200);
    // Its forms are redirected to Stripe, so the page's form-action allows Stripe (and only there).
    expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' https://checkout.stripe.com https://billing.stripe.com ${fake.url};`);
    expect((await owner.get('/settings')).headers.get('content-security-policy')).toContain("form-action 'self';");
    const page = await res.text();
    for (const [plan, price, limit] of [['free', '$0', '5 monitors'], ['pro', '$14', '50 monitors'], ['business', '$39', 'Unlimited monitors']]) {
      const card = page.slice(page.indexOf(`data-testid="plan-${plan}"`)).split('</section>')[0]!;
      expect(card).toContain(price);
      expect(card).toContain(limit);
    }
    expect(page.slice(page.indexOf('data-testid="plan-free"')).split('</section>')[0]).toContain('Current plan');
    expect(page).toContain('Checks every 5 min or slower');
    expect(page).toContain('Upgrade to Pro');
    expect(page).toContain('Upgrade to Business');
  });

  it('Upgrade creates the Stripe customer once and a subscription Checkout for the plan, and redirects to it', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const res = await owner.post('/settings/billing/checkout', { plan: 'pro' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${fake.url}/pay/cs_test_\\d+$`));
    const [customer, session] = fake.requests;
    expect(customer).toMatchObject({ method: 'POST', path: '/v1/customers', body: { email: owner.email, metadata: { account_id: String(accountId) } } });
    expect(customer!.authorization).toBe('Bearer sk_test_fake');
    const customerId = (await account(accountId)).stripe_customer_id;
    expect(customerId).toMatch(/^cus_test_/);
    expect(session).toMatchObject({
      path: '/v1/checkout/sessions',
      body: {
        mode: 'subscription',
        customer: customerId,
        client_reference_id: String(accountId),
        line_items: [{ price: fake.prices.pro, quantity: '1' }],
        success_url: 'http://localhost:3000/settings/billing?checkout=success',
        cancel_url: 'http://localhost:3000/settings/billing?checkout=canceled',
      },
    });

    // A second attempt (e.g. after canceling) reuses the customer.
    expect((await owner.post('/settings/billing/checkout', { plan: 'business' })).status).toBe(303);
    expect(fake.requests.filter((r) => r.path === '/v1/customers')).toHaveLength(1);
    expect(fake.requests.at(-1)!.body).toMatchObject({ customer: customerId, line_items: [{ price: fake.prices.business }] });
    expect((await owner.post('/settings/billing/checkout', { plan: 'free' })).status).toBe(422);
  });

  it('a signed checkout.session.completed and subscription event upgrade the account; a replayed event does nothing', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const { sub, created } = await subscribe(owner, accountId, 'pro');
    const a = await account(accountId);
    expect(a).toMatchObject({ plan: 'pro', subscription_status: 'active', stripe_subscription_id: sub.id });
    expect(await eventCount()).toBe(2);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor']).where('account_id', '=', accountId).where('action', '=', 'billing.plan_changed').execute();
    expect(audit).toEqual([{ action: 'billing.plan_changed', actor: 'stripe' }]);
    const page = await (await owner.get('/settings/billing?checkout=success')).text();
    expect(page).toContain('Thank you');
    expect(page.slice(page.indexOf('data-testid="plan-pro"')).split('</section>')[0]).toContain('Current plan');

    // The subscription ends: Free. Replaying the old "created" event must not bring Pro back.
    expect((await deliver(signed('customer.subscription.deleted', { ...sub, status: 'canceled' }))).status).toBe(200);
    expect((await account(accountId)).plan).toBe('free');
    const replay = await deliver(created);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ received: true, duplicate: true });
    expect((await account(accountId)).plan).toBe('free');
    expect(await eventCount()).toBe(3);
  });

  it('a bad, missing or stale signature is refused with 400 and records nothing', async () => {
    const { accountId } = await ownerWithAccount();
    const sub = fake.subscription({ customer: 'cus_x', price: fake.prices.business, accountId });
    const forged = fake.signedEvent('customer.subscription.created', sub, { secret: 'whsec_wrong' });
    expect((await deliver(forged)).status).toBe(400);
    const good = signed('customer.subscription.created', sub);
    expect((await deliver({ body: good.body.replace('"active"', '"trialing"'), signature: good.signature })).status).toBe(400);
    const stale = fake.signedEvent('customer.subscription.created', sub, { timestamp: Math.floor(built.clock.now() / 1000) - 3600 });
    expect((await deliver(stale)).status).toBe(400);
    const noHeader = await built.app.request('/webhooks/stripe', { method: 'POST', body: good.body });
    expect(noHeader.status).toBe(400);
    expect(await noHeader.json()).toMatchObject({ error: { code: 'bad_signature' } });
    expect(await eventCount()).toBe(0);
    expect((await account(accountId)).plan).toBe('free');
  });

  it('a late retry of an older subscription event cannot undo a newer one', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const { sub } = await subscribe(owner, accountId, 'pro');
    const now = Math.floor(Date.now() / 1000);
    const ts = Math.floor(built.clock.now() / 1000);
    const olderActive = fake.signedEvent('customer.subscription.updated', { ...sub, status: 'active' }, { created: now + 10, timestamp: ts });
    await deliver(fake.signedEvent('customer.subscription.deleted', { ...sub, status: 'canceled' }, { created: now + 20, timestamp: ts }));
    expect((await account(accountId)).plan).toBe('free');
    const res = await deliver(olderActive);
    expect(res.status).toBe(200);
    expect(await account(accountId)).toMatchObject({ plan: 'free', subscription_status: 'canceled' });
  });

  it('unknown events are acknowledged and ignored', async () => {
    const res = await deliver(signed('charge.refunded', { id: 'ch_1', object: 'charge' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, handled: false });
  });

  it('a downgrade to Free pauses exactly the newest monitors over 5 and raises intervals under 300 s, and tells the owner', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const { sub } = await subscribe(owner, accountId, 'business');
    await t.db.updateTable('status_pages').set({ hide_powered_by: 1 }).where('account_id', '=', accountId).execute();
    const ids: number[] = [];
    for (let i = 1; i <= 8; i++) ids.push(await createMonitorVia(owner, { name: `Mon ${i}`, interval_seconds: i === 2 ? '600' : '30' }));

    expect((await deliver(signed('customer.subscription.deleted', { ...sub, status: 'canceled' }))).status).toBe(200);
    expect((await account(accountId)).plan).toBe('free');
    const rows = await t.db.selectFrom('monitors').select(['id', 'is_paused', 'paused_reason', 'interval_s']).where('account_id', '=', accountId).orderBy('id').execute();
    expect(rows.filter((r) => r.is_paused === 1).map((r) => r.id)).toEqual(ids.slice(5));
    expect(rows.filter((r) => r.is_paused === 1).every((r) => r.paused_reason === 'plan')).toBe(true);
    expect(rows.map((r) => r.interval_s)).toEqual([300, 600, 300, 300, 300, 300, 300, 300]);
    expect((await t.db.selectFrom('status_pages').select('hide_powered_by').where('account_id', '=', accountId).executeTakeFirstOrThrow()).hide_powered_by).toBe(0);
    expect(await t.db.selectFrom('monitors').select('id').where('account_id', '=', accountId).execute()).toHaveLength(8); // nothing deleted

    const dash = await (await owner.get('/dashboard')).text();
    const notice = dash.slice(dash.indexOf('data-testid="plan-notice"')).split('</div>')[0]!;
    expect(notice).toContain('moved from Business to Free');
    for (const n of ['Mon 6', 'Mon 7', 'Mon 8']) expect(notice).toContain(`Paused (over the plan&#39;s monitor limit or not included): ${n}`);
    expect(notice).toContain('Interval raised from 30 s to 300 s: Mon 1');
    expect(notice).not.toContain('Mon 2');
    const row = dash.slice(dash.indexOf(`id="monitor-${ids[7]}"`)).split('</tr>')[0]!;
    expect(row).toContain('by plan limit');
    // Mails of earlier tests may still be arriving: look at this owner's only.
    const mine = () => mails.filter((m) => m.to === owner.email && m.body.includes('plan'));
    await expect.poll(() => mine().length, { timeout: 5000 }).toBe(1);
    expect(mine()[0]!.body).toContain('Mon 8');
    expect(mine()[0]!.body).toContain('Interval raised from 30 s to 300 s');

    // Free runs 5 at once: resuming a sixth is refused until one is paused.
    expect((await owner.post(`/monitors/${ids[7]}/resume`)).status).toBe(402);
    await owner.post(`/monitors/${ids[0]}/pause`);
    expect((await owner.post(`/monitors/${ids[7]}/resume`)).status).toBe(303);

    // Upgrading again resumes what the plan paused.
    const again = fake.subscription({ customer: sub.customer, price: fake.prices.pro, accountId });
    expect((await deliver(signed('customer.subscription.created', again))).status).toBe(200);
    const after = await t.db.selectFrom('monitors').select(['id', 'is_paused', 'paused_reason']).where('account_id', '=', accountId).orderBy('id').execute();
    expect(after.filter((r) => r.is_paused === 1).map((r) => r.id)).toEqual([ids[0]]); // the one paused by hand stays paused
    expect(after.every((r) => r.paused_reason === null)).toBe(true);

    const dismissed = await owner.post('/settings/billing/notice/dismiss', { from: 'dashboard' });
    expect(dismissed.status).toBe(303);
    expect(await (await owner.get('/dashboard')).text()).not.toContain('data-testid="plan-notice"');
  });

  it('a failed payment shows a banner to every member, and after 7 days the account is on Free', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const { sub } = await subscribe(owner, accountId, 'pro');
    const member = await teammate(accountId, 'member');
    const failedAt = built.clock.now();
    expect((await deliver(signed('invoice.payment_failed', { id: 'in_1', object: 'invoice', customer: sub.customer }))).status).toBe(200);
    expect((await account(accountId)).payment_failed_at).toBe(failedAt);

    const deadline = new Date(failedAt + 7 * DAY).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    for (const who of [owner, member]) {
      const dash = await (await who.get('/dashboard')).text();
      expect(dash).toContain(`Payment failed — update your card by ${deadline} or the account moves to Free.`);
    }
    expect(await (await member.get('/dashboard')).text()).toContain('Ask the account owner to update the card.');
    // Stripe's retries fail again: the grace period does not restart.
    built.clock.advance(3 * DAY);
    await deliver(signed('invoice.payment_failed', { id: 'in_1', object: 'invoice', customer: sub.customer }));
    expect((await account(accountId)).payment_failed_at).toBe(failedAt);

    const worker = { db: t.db, clock: built.clock, policy: built.deps.policy, logger: silentLogger, delivery: built.deps.delivery, alerts: built.deps.alerts };
    built.clock.advance(4 * DAY - 10 * SECOND);
    expect(await endGracePeriods(worker)).toBe(0);
    expect((await account(accountId)).plan).toBe('pro');
    built.clock.advance(10 * SECOND);
    expect(await endGracePeriods(worker)).toBe(1);
    const a = await account(accountId);
    expect(a).toMatchObject({ plan: 'free', payment_failed_at: null });
    const dash = await (await member.get('/dashboard')).text();
    expect(dash).not.toContain('data-testid="payment-failed"');
    expect(dash).toContain('moved from Pro to Free');
    const audit = await t.db.selectFrom('audit_log').select(['details', 'actor']).where('account_id', '=', accountId).where('action', '=', 'billing.plan_changed').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details).reason).toBe('payment_failed');
  });

  it('a later successful payment or an active subscription ends the grace period', async () => {
    const { owner, accountId } = await ownerWithAccount();
    const { sub } = await subscribe(owner, accountId, 'pro');
    await deliver(signed('invoice.payment_failed', { id: 'in_2', object: 'invoice', customer: sub.customer }));
    expect((await account(accountId)).payment_failed_at).not.toBeNull();
    await deliver(signed('invoice.paid', { id: 'in_2', object: 'invoice', customer: sub.customer }));
    expect((await account(accountId)).payment_failed_at).toBeNull();

    await deliver(signed('customer.subscription.updated', { ...sub, status: 'past_due' }));
    expect(await account(accountId)).toMatchObject({ plan: 'pro', subscription_status: 'past_due' });
    expect((await account(accountId)).payment_failed_at).not.toBeNull();
    await deliver(signed('customer.subscription.updated', { ...sub, status: 'active' }));
    expect(await account(accountId)).toMatchObject({ plan: 'pro', subscription_status: 'active', payment_failed_at: null });
  });

  it('Manage opens a Billing Portal session for the account’s customer', async () => {
    const { owner, accountId } = await ownerWithAccount();
    await subscribe(owner, accountId, 'pro');
    const page = await (await owner.get('/settings/billing')).text();
    expect(page).toContain('Manage billing');
    expect(page).toContain('Switch to Business in billing');
    const res = await owner.post('/settings/billing/portal');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${fake.url}/portal/bps_test_\\d+$`));
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/billing_portal/sessions', body: { customer: (await account(accountId)).stripe_customer_id, return_url: 'http://localhost:3000/settings/billing' } });
  });

  it('members and admins other than the owner get a clear 403 and reach nothing at Stripe', async () => {
    const { accountId } = await ownerWithAccount();
    for (const role of ['admin', 'member', 'viewer']) {
      const who = await teammate(accountId, role);
      const res = await who.get('/settings/billing');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(`Your role (${role}) cannot do this`);
      expect((await who.post('/settings/billing/checkout', { plan: 'pro' })).status).toBe(403);
      expect((await who.post('/settings/billing/portal')).status).toBe(403);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('when Stripe cannot be reached the billing page says so (no 500)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    built = buildApp(t.db, { ...fake.env(), STRIPE_API_BASE: `http://127.0.0.1:${port}` });
    const { owner, accountId } = await ownerWithAccount();
    const res = await owner.post('/settings/billing/checkout', { plan: 'pro' });
    expect(res.status).toBe(502);
    const page = await res.text();
    expect(page).toContain('<h1 class="mb-2 text-2xl font-semibold">Billing</h1>');
    expect(page).toContain('We could not reach Stripe to start the payment. Nothing was charged');
    expect((await account(accountId)).stripe_customer_id).toBeNull();
  });
});

describe.each(testDbKinds())('billing on a self-hosted instance (%s)', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  it('has no billing pages, no webhook, no mention of billing and no limits', async () => {
    const { app } = buildApp(t.db);
    const owner = await persona(app, 'selfhost');
    expect((await owner.get('/settings/billing')).status).toBe(404);
    expect((await owner.post('/settings/billing/checkout', { plan: 'pro' })).status).toBe(404);
    expect(await (await owner.get('/settings')).text()).not.toMatch(/billing/i);
    expect(await (await owner.get('/dashboard')).text()).not.toMatch(/billing|payment failed/i);
    expect((await app.request('/webhooks/stripe', { method: 'POST', body: '{}' })).status).toBe(404);
    for (let i = 0; i < 7; i++) await createMonitorVia(owner, { name: `M${i}`, interval_seconds: '10', url: 'http://127.0.0.1:9/' });
    expect(await t.db.selectFrom('monitors').select('id').execute()).toHaveLength(7);
  });
});
