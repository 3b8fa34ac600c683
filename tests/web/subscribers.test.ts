import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueSubscriberNotices, type SubscriberNotice } from '../../src/domain/subscribers/notify.ts';
import { FREE_SUBSCRIBER_CAP } from '../../src/domain/subscribers/subscribers.ts';
import { DAY, HOUR } from '../../src/lib/clock.ts';
import { hashPassword } from '../../src/lib/password.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { Dispatcher } from '../../src/worker/dispatch-outbox.ts';
import { pruneOnce } from '../../src/worker/prune.ts';
import { buildApp, Client, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { SELF_HOSTED } from '../helpers/fixtures.ts';
import { useReceiver } from '../helpers/receiver.ts';
import { useSmtp } from '../helpers/smtp.ts';

const smtp = useSmtp();
const mails = smtp.mails;
const rx = useReceiver();

const BASE = 'http://statusping.test';
const pathOf = (url: string) => url.slice(BASE.length).replace(/&amp;/g, '&');

describe.each(testDbKinds())('status page subscribers on %s', (kind) => {
  let t: TestDb;
  let built: ReturnType<typeof buildApp>;
  let dispatcher: Dispatcher;
  let slug: string;
  let pageId: number;
  let owner: Awaited<ReturnType<typeof persona>>;
  let compA: number;
  let compB: number;

  beforeEach(async () => {
    mails.length = 0;
    rx.received.length = 0;
    rx.respond = () => ({ status: 200, body: '{"ok":true}' });
    t = await openTestDb(kind);
    built = buildApp(t.db, { SMTP_URL: smtp.url, BASE_URL: BASE, MAIL_FROM: 'Status <status@statusping.test>' });
    dispatcher = new Dispatcher({ db: t.db, clock: built.clock, logger: silentLogger, delivery: built.deps.delivery, random: () => 0, baseUrl: BASE });
    owner = await persona(built.app, 'owner');
    const page = await t.db.selectFrom('status_pages').select(['id', 'slug']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    slug = page.slug;
    pageId = page.id;
    const now = built.clock.now();
    compA = (await t.db.insertInto('page_components').values({ page_id: pageId, name: 'API', position: 0, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    compB = (await t.db.insertInto('page_components').values({ page_id: pageId, name: 'Website', position: 1, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => {
    await dispatcher.drain();
    await t.close();
  });

  async function deliverAll() {
    for (let i = 0; i < 5; i++) {
      await dispatcher.tick();
      await dispatcher.drain();
    }
  }

  /** Opens the form like a browser and submits it. */
  async function subscribeVia(visitor: Client, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const form = await visitor.get(`/s/${slug}/subscribe`);
    const token = /name="form_token" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const body = new URLSearchParams({ form_token: token });
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return visitor.raw(`/s/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, ...headers }, body: body.toString() });
  }

  const notice = (over: Partial<SubscriberNotice> = {}): SubscriberNotice => ({
    pageId,
    componentIds: [],
    event: 'incident.created',
    key: 'post:1:update:1',
    subject: 'API errors',
    body: 'We are **investigating** <script>alert(1)</script> errors.',
    url: `${BASE}/s/${slug}/incidents/1`,
    at: built.clock.now(),
    ...over,
  });

  /** Subscribes an address and confirms it through the link that arrives by email. */
  async function confirmedEmail(address: string, components: string[] = []) {
    const visitor = new Client(built.app);
    expect((await subscribeVia(visitor, { kind: 'email', address, components })).status).toBe(200);
    await deliverAll();
    const mail = mails.find((m) => m.to.includes(address) && /Confirm your subscription/.test(m.raw));
    expect(mail, 'confirmation email').toBeDefined();
    const link = /(http:\/\/statusping\.test\/s\/[^\s"<]+\/subscribe\/confirm\?[^\s"<]+)/.exec(mail!.text)![1]!;
    // Opening the link only asks (mail scanners open links): nothing is confirmed yet.
    const ask = await visitor.get(pathOf(link));
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('Confirm subscription');
    const row = await t.db.selectFrom('subscribers').select('confirmed_at').where('address', '=', address).executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
    const res = await visitor.raw(pathOf(link), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Subscription confirmed');
    return { visitor, link };
  }

  it('double opt-in over real SMTP: confirm once, get notices with one-click unsubscribe, unsubscribe once', async () => {
    const { visitor, link } = await confirmedEmail('reader@example.com');
    // Confirming again changes nothing and says so.
    expect(await (await visitor.get(pathOf(link))).text()).toContain('Already confirmed');
    expect(await (await visitor.raw(pathOf(link), { method: 'POST' })).text()).toContain('Already confirmed');

    mails.length = 0;
    expect(await enqueueSubscriberNotices(t.db, notice())).toBe(1);
    await deliverAll();
    expect(mails).toHaveLength(1);
    const raw = mails[0]!.text;
    expect(raw).toMatch(/Subject: .*API errors/);
    expect(raw).toMatch(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
    const unsub = /List-Unsubscribe: <(http:\/\/statusping\.test\/s\/[^>]+\/unsubscribe\?[^>]+)>/.exec(raw.replace(/\r?\n\s+/g, ' '))?.[1];
    expect(unsub).toBeDefined();
    expect(raw).toContain(`${BASE}/s/${slug}/incidents/1`);
    // The HTML part renders the safe Markdown subset: formatting yes, markup never.
    const htmlPart = raw.slice(raw.indexOf('Content-Type: text/html'));
    expect(htmlPart).toContain('<h2');
    expect(htmlPart).toContain('<strong>investigating</strong>');
    expect(htmlPart).not.toContain('<script>');
    expect(htmlPart).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    // A tampered link is refused and removes nothing.
    const stored = await t.db.selectFrom('subscribers').select('token').where('address', '=', 'reader@example.com').executeTakeFirstOrThrow();
    expect(unsub).not.toContain(stored.token); // the subscriber's secret never travels; the link is an HMAC keyed by it
    expect(unsub).toMatch(/[?&]sig=[\w-]{43}(&|$)/);
    const tampered = pathOf(unsub!).replace(/sig=[^&]+/, 'sig=forged-signature-forged-signature');
    expect((await visitor.raw(tampered, { method: 'POST' })).status).toBe(400);
    expect((await visitor.get(tampered)).status).toBe(400);
    // GET only asks (mail scanners prefetch links).
    const ask = await visitor.get(pathOf(unsub!));
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('reader@example.com');
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(1);
    // RFC 8058 one-click POST from the mail client, with no Origin.
    const one = await visitor.raw(pathOf(unsub!), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(one.status).toBe(200);
    expect(await one.text()).toContain('Unsubscribed');
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
    const again = await visitor.raw(pathOf(unsub!), { method: 'POST' });
    expect(await again.text()).toContain('Already unsubscribed');
  });

  it('gives the same answer for a known address, and sends unconfirmed subscribers nothing', async () => {
    await confirmedEmail('known@example.com');
    const visitor = new Client(built.app);
    const repeat = await subscribeVia(visitor, { kind: 'email', address: 'known@example.com' });
    const fresh = await subscribeVia(visitor, { kind: 'email', address: 'pending@example.com' });
    expect(repeat.status).toBe(fresh.status);
    expect((await repeat.text()).replace(/known/g, 'X')).toBe((await fresh.text()).replace(/pending/g, 'X'));
    await deliverAll();
    mails.length = 0;
    expect(await enqueueSubscriberNotices(t.db, notice())).toBe(1);
    await deliverAll();
    expect(mails.map((m) => m.to).flat()).toEqual(['known@example.com']);
  });

  it('filters by component and is idempotent per notice key', async () => {
    await confirmedEmail('api-only@example.com', [String(compA)]);
    await confirmedEmail('everything@example.com');
    mails.length = 0;
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'k1', componentIds: [compB] }))).toBe(1);
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'k2', componentIds: [compA] }))).toBe(2);
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'k2', componentIds: [compA] }))).toBe(0);
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'k3', componentIds: [] }))).toBe(2);
    await deliverAll();
    const to = (addr: string) => mails.filter((m) => m.to.includes(addr)).length;
    expect(to('api-only@example.com')).toBe(2);
    expect(to('everything@example.com')).toBe(3);
  });

  it('a webhook subscriber confirms through the signed subscription.confirm POST, gets signed notices, and 410 removes it', async () => {
    const visitor = new Client(built.app);
    expect((await subscribeVia(visitor, { kind: 'webhook', address: `${rx.url}/hook` })).status).toBe(200);
    await deliverAll();
    expect(rx.received).toHaveLength(1);
    const confirm = rx.received[0]!;
    const body = JSON.parse(confirm.body) as { type: string; data: { confirm_url: string; signing_secret: string } };
    expect(body.type).toBe('subscription.confirm');
    const wh = new Webhook(body.data.signing_secret);
    expect(() => wh.verify(confirm.body, confirm.headers as Record<string, string>)).not.toThrow();
    // Nothing is sent before the confirm_url is opened.
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'before' }))).toBe(0);
    expect((await visitor.raw(pathOf(body.data.confirm_url), { method: 'POST' })).status).toBe(200);

    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'n1', event: 'incident.updated' }))).toBe(1);
    await deliverAll();
    const got = rx.received[1]!;
    expect(JSON.parse(got.body)).toMatchObject({ type: 'incident.updated', data: { subject: 'API errors', url: `${BASE}/s/${slug}/incidents/1` } });
    expect(() => wh.verify(got.body, got.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(`whsec_${Buffer.from('another secret!!').toString('base64')}`).verify(got.body, got.headers as Record<string, string>)).toThrow();

    rx.respond = () => ({ status: 410 });
    expect(await enqueueSubscriberNotices(t.db, notice({ key: 'n2' }))).toBe(1);
    await deliverAll();
    expect(rx.received).toHaveLength(3); // 410 is not retried
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
  });

  it('rejects bad input with a form error, cross-site posts and stale form tokens', async () => {
    const visitor = new Client(built.app);
    const bad = await subscribeVia(visitor, { kind: 'email', address: 'not-an-address' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Enter a valid email address');
    const badUrl = await subscribeVia(visitor, { kind: 'webhook', address: 'ftp://example.com/x' });
    expect(badUrl.status).toBe(422);
    const cross = await subscribeVia(visitor, { kind: 'email', address: 'a@example.com' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const noToken = await visitor.raw(`/s/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'kind=email&address=a%40example.com' });
    expect(noToken.status).toBe(403);
    // A token from the form expires after two hours.
    const form = await visitor.get(`/s/${slug}/subscribe`);
    const token = /name="form_token" value="([^"]+)"/.exec(await form.text())![1]!;
    built.clock.advance(3 * HOUR);
    const stale = await visitor.raw(`/s/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `form_token=${token}&kind=email&address=a%40example.com` });
    expect(stale.status).toBe(403);
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
  });

  it('rate limits sign-ups per address with 429 and Retry-After, and recovers when time moves on', async () => {
    const visitor = new Client(built.app);
    for (let i = 0; i < 3; i++) expect((await subscribeVia(visitor, { kind: 'email', address: 'flood@example.com' })).status).toBe(200);
    const limited = await subscribeVia(visitor, { kind: 'email', address: 'flood@example.com' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many sign-ups');
    built.clock.advance(HOUR + 1000);
    expect((await subscribeVia(visitor, { kind: 'email', address: 'flood@example.com' })).status).toBe(200);
  });

  it('an expired or tampered confirmation link confirms nothing', async () => {
    const visitor = new Client(built.app);
    await subscribeVia(visitor, { kind: 'email', address: 'late@example.com' });
    await deliverAll();
    const mail = mails.find((m) => m.to.includes('late@example.com'))!;
    const link = /(http:\/\/statusping\.test\/s\/[^\s"<]+\/subscribe\/confirm\?[^\s"<]+)/.exec(mail.text)![1]!;
    const forged = pathOf(link).replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await visitor.get(forged)).status).toBe(400);
    expect((await visitor.raw(forged, { method: 'POST' })).status).toBe(400);
    built.clock.advance(8 * DAY);
    const expired = await visitor.raw(pathOf(link), { method: 'POST' });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');
    const row = await t.db.selectFrom('subscribers').select('confirmed_at').executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
    // …and the pruner removes the sign-up nobody confirmed.
    const removed = await pruneOnce({ db: t.db, clock: built.clock, policy: SELF_HOSTED });
    expect(removed.subscribers).toBe(1);
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
  });

  it('a private page refuses its subscribe form until unlocked', async () => {
    await t.db.updateTable('status_pages').set({ access: 'password', password_hash: await hashPassword('open sesame') }).where('id', '=', pageId).execute();
    const visitor = new Client(built.app);
    expect((await visitor.get(`/s/${slug}/subscribe`)).status).toBe(401);
    const post = await subscribeVia(visitor, { kind: 'email', address: 'sneaky@example.com' });
    expect(post.status).toBe(401);
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
    const unlock = await visitor.raw(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=open%20sesame' });
    expect(unlock.status).toBe(303);
    expect((await subscribeVia(visitor, { kind: 'email', address: 'member@example.com' })).status).toBe(200);
  });

  it('the dashboard lists, exports and removes subscribers of the own page only', async () => {
    await confirmedEmail('listed@example.com', [String(compA)]);
    const list = await owner.get(`/pages/${pageId}/subscribers`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('listed@example.com');
    expect(html).toContain('Confirmed');
    const csv = await owner.get(`/pages/${pageId}/subscribers.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('"email","listed@example.com","API","confirmed"');

    const outsider = await persona(built.app, 'outsider');
    const subId = (await t.db.selectFrom('subscribers').select('id').executeTakeFirstOrThrow()).id;
    expect((await outsider.get(`/pages/${pageId}/subscribers`)).status).toBe(404);
    expect((await outsider.get(`/pages/${pageId}/subscribers.csv`)).status).toBe(404);
    expect((await outsider.post(`/pages/${pageId}/subscribers/${subId}/delete`)).status).toBe(404);
    const outsiderPage = (await t.db.selectFrom('status_pages').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    expect((await outsider.post(`/pages/${outsiderPage}/subscribers/${subId}/delete`)).status).toBe(404);
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(1);

    const del = await owner.post(`/pages/${pageId}/subscribers/${subId}/delete`, { _confirm: '1' });
    expect(del.status).toBe(303);
    expect(await t.db.selectFrom('subscribers').select('id').execute()).toHaveLength(0);
  });

  it('in SaaS mode refuses private webhook receivers and closes a free page at 5,000 subscribers', async () => {
    built = buildApp(t.db, { STRIPE_SECRET_KEY: 'sk_test_x', BASE_URL: BASE });
    const visitor = new Client(built.app);
    const internal = await subscribeVia(visitor, { kind: 'webhook', address: 'http://169.254.169.254/latest' });
    expect(internal.status).toBe(422);
    expect(await internal.text()).toContain('private or reserved address');
    // A visitor who opened the form before the page filled up.
    const early = /name="form_token" value="([^"]+)"/.exec(await (await visitor.get(`/s/${slug}/subscribe`)).text())![1]!;
    const now = built.clock.now();
    const rows = Array.from({ length: FREE_SUBSCRIBER_CAP }, (_, i) => ({ page_id: pageId, kind: 'email', address: `s${i}@example.com`, token: `tok-${i}`, confirmed_at: now, created_at: now }));
    for (let i = 0; i < rows.length; i += 500) await t.db.insertInto('subscribers').values(rows.slice(i, i + 500)).execute();
    const form = await visitor.get(`/s/${slug}/subscribe`);
    expect(await form.text()).toContain('reached its subscriber limit');
    const full = await visitor.raw(`/s/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `form_token=${early}&kind=email&address=one-more%40example.com` });
    expect(full.status).toBe(409);
    expect(await t.db.selectFrom('subscribers').select('id').where('address', '=', 'one-more@example.com').execute()).toHaveLength(0);
  });

  it('shows the subscribe link on the public page', async () => {
    const res = await built.app.request(`/s/${slug}`);
    expect(await res.text()).toContain(`/s/${slug}/subscribe`);
  });
});
