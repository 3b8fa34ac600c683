import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannel, sendTest, setMonitorChannels } from '../../src/domain/alerts/alerts.service.ts';
import { MAX_ATTEMPTS } from '../../src/domain/alerts/dispatch.ts';
import { enqueueReminders } from '../../src/domain/alerts/reminders.ts';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { HOUR, ManualClock, MINUTE } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/lib/mail.ts';
import { Dispatcher } from '../../src/worker/dispatch-outbox.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, SAAS, SELF_HOSTED, TEST_ALERTS, OPEN_GUARD, TEST_CHECKS, providersAt } from '../helpers/fixtures.ts';
import { useReceiver } from '../helpers/receiver.ts';
import { useSmtp } from '../helpers/smtp.ts';

const smtp = useSmtp();
const mails = smtp.mails;
const rx = useReceiver();

describe.each(testDbKinds())('alerts on %s', (kind) => {
  let t: TestDb;
  let clock: ManualClock;
  let dispatcher: Dispatcher;
  const delivery = () => ({
    mailer: createMailer({ from: 'StatusPing <alerts@statusping.test>', smtpUrl: smtp.url, resendBaseUrl: rx.url }, silentLogger),
    guard: OPEN_GUARD,
    providers: providersAt(rx.url),
    timeoutMs: 2000,
  });
  const deps = () => ({ db: t.db, clock, policy: SELF_HOSTED, delivery: delivery(), baseUrl: 'http://statusping.test' });

  beforeEach(async () => {
    t = await openTestDb(kind);
    clock = new ManualClock(Date.UTC(2026, 10, 20, 12));
    mails.length = 0;
    rx.received.length = 0;
    rx.respond = () => ({ status: 200, body: '{"ok":true}' });
    dispatcher = new Dispatcher({ db: t.db, clock, logger: silentLogger, delivery: delivery(), random: () => 0 });
  });
  afterEach(() => t.close());

  /** Quoted-printable soft breaks and escapes, so mail bodies can be searched as text. */

  /** Runs the dispatcher (2 attempts per account per round); advances the clock by `stepMs` between rounds. */
  async function pump(rounds = 1, stepMs = 0) {
    for (let i = 0; i < rounds; i++) {
      await dispatcher.tick();
      await dispatcher.drain();
      clock.advance(stepMs);
    }
  }
  const result = (ok: boolean, error = 'Unexpected status 500 (expected 200-399)') => ({ ok, statusCode: ok ? 200 : 500, responseMs: 12, error: ok ? null : error });
  async function check(monitorId: number, ok: boolean, times = 1) {
    for (let i = 0; i < times; i++) {
      clock.advance(MINUTE);
      await recordResult(t.db, monitorId, result(ok), clock.now(), TEST_CHECKS);
    }
  }
  async function setup(channel: Record<string, string>) {
    const { account } = await makeAccount(t.db, clock, 'Acme');
    const { channel: ch, secret } = await createChannel(deps(), account.id, channel);
    const m = await makeMonitor(t.db, account.id, { name: 'Checkout API', url: 'https://shop.example/health' });
    await setMonitorChannels(deps(), account.id, m.id, [ch.id]);
    return { account, ch, secret, m };
  }
  const outboxRows = () => t.db.selectFrom('outbox').selectAll().orderBy('id').execute();

  it('emails once when a monitor goes down and once when it recovers, over real SMTP', async () => {
    const { m } = await setup({ kind: 'email', name: 'Ops mail', recipients: 'ops@example.com, cto@example.com' });
    await check(m.id, false, 5);
    await pump();
    expect(mails).toHaveLength(1);
    const down = { ...mails[0]!, raw: mails[0]!.text };
    expect(down.to.sort()).toEqual(['cto@example.com', 'ops@example.com']);
    expect(down.from).toBe('alerts@statusping.test');
    expect(down.raw).toMatch(/^Subject: Checkout API is down/m);
    expect(down.raw).toContain('Unexpected status 500 (expected 200-399)');
    expect(down.raw).toContain('https://shop.example/health');
    expect(down.raw).toContain(`http://statusping.test/monitors/${m.id}`);
    expect(down.raw).toMatch(/Content-Type: text\/html/);
    expect(down.raw).toMatch(/Content-Type: text\/plain/);
    expect(down.raw).toMatch(/^X-StatusPing-Idempotency-Key: incident-1:channel-\d+:down/im);

    await check(m.id, true);
    await pump();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.raw).toMatch(/^Subject: Checkout API is back up/m);
    expect(mails[1]!.text).toMatch(/Down for: 5m 0s/);
    const log = await t.db.selectFrom('deliveries').selectAll().execute();
    expect(log).toHaveLength(2);
    expect(log.every((d) => d.ok === 1 && /^250/.test(d.response ?? ''))).toBe(true);
  });

  it('signs webhooks per Standard Webhooks: a receiver verifies them and rejects a tampered body', async () => {
    clock.set(Date.now()); // receivers refuse signatures older than 5 minutes
    const { m, secret } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    expect(secret).toMatch(/^whsec_/);
    await check(m.id, false, 3);
    await pump();
    expect(rx.received).toHaveLength(1);
    const req = rx.received[0]!;
    const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
    const verified = new Webhook(secret!).verify(req.body, headers) as { type: string; data: { monitor: { name: string }; incident: { cause: string } } };
    expect(verified.type).toBe('monitor.down');
    expect(verified.data.monitor.name).toBe('Checkout API');
    expect(verified.data.incident.cause).toContain('500');
    expect(req.headers['idempotency-key']).toBe(headers['webhook-id']);
    expect(() => new Webhook(secret!).verify(req.body.replace('Checkout', 'Hacked'), headers)).toThrow();
  });

  it('speaks each provider’s native format', async () => {
    const { account } = await makeAccount(t.db, clock, 'Acme');
    const m = await makeMonitor(t.db, account.id, { name: 'API', url: 'https://api.example' });
    const specs: Array<Record<string, string>> = [
      { kind: 'slack', name: 'Slack', url: `${rx.url}/slack` },
      { kind: 'discord', name: 'Discord', url: `${rx.url}/discord` },
      { kind: 'teams', name: 'Teams', url: `${rx.url}/teams` },
      { kind: 'ntfy', name: 'ntfy', url: `${rx.url}/ntfy/alerts` },
      { kind: 'telegram', name: 'Telegram', bot_token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', chat_id: '-100200300' },
      { kind: 'pagerduty', name: 'PD', routing_key: 'R0UT1NGKEY0123456789ABCDEFGHIJKL' },
    ];
    const ids = [];
    for (const s of specs) ids.push((await createChannel(deps(), account.id, s)).channel.id);
    await setMonitorChannels(deps(), account.id, m.id, ids);
    await check(m.id, false, 3);
    await pump(3);
    await check(m.id, true);
    await pump(3);
    const by = (prefix: string) => rx.received.filter((r) => r.path.startsWith(prefix));
    const slack = JSON.parse(by('/slack')[0]!.body);
    expect(slack.text).toContain('API is down');
    expect(slack.blocks[0].type).toBe('section');
    const discord = JSON.parse(by('/discord')[0]!.body);
    expect(discord.embeds[0]).toMatchObject({ title: '🔴 API is down', color: 0xdc2626 });
    const teams = JSON.parse(by('/teams')[0]!.body);
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0].content.type).toBe('AdaptiveCard');
    const ntfy = by('/ntfy/alerts')[0]!;
    const title = String(ntfy.headers.title);
    expect(Buffer.from(/^=\?UTF-8\?B\?(.+)\?=$/.exec(title)![1]!, 'base64').toString()).toBe('API is down');
    expect(ntfy.headers.priority).toBe('high');
    expect(ntfy.body).toContain('API is down');
    const tg = by('/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/sendMessage');
    expect(JSON.parse(tg[0]!.body)).toMatchObject({ chat_id: '-100200300', parse_mode: 'HTML' });
    const pd = by('/v2/enqueue').map((r) => JSON.parse(r.body));
    expect(pd).toHaveLength(2);
    expect(pd[0]).toMatchObject({ routing_key: 'R0UT1NGKEY0123456789ABCDEFGHIJKL', event_action: 'trigger', payload: { severity: 'critical', source: 'https://api.example' } });
    expect(pd[1]).toMatchObject({ event_action: 'resolve', dedup_key: pd[0].dedup_key });
    expect(by('/slack')).toHaveLength(2);
  });

  it('sends email through Resend when RESEND_API_KEY is set', async () => {
    const resend = createMailer({ from: 'StatusPing <alerts@statusping.test>', resendApiKey: 're_test_123', resendBaseUrl: rx.url }, silentLogger);
    rx.respond = () => ({ status: 200, body: '{"id":"email_1"}' });
    const response = await resend.send({ to: ['a@example.com'], subject: 'Hi', text: 'x', html: '<p>x</p>', idempotencyKey: 'k1' });
    expect(response).toBe('Resend 200 id email_1');
    const req = rx.received[0]!;
    expect(req.path).toBe('/emails');
    expect(req.headers.authorization).toBe('Bearer re_test_123');
    expect(req.headers['idempotency-key']).toBe('k1');
    expect(JSON.parse(req.body)).toMatchObject({ from: 'StatusPing <alerts@statusping.test>', to: ['a@example.com'], subject: 'Hi' });
  });

  it('retries a failing receiver with backoff and delivers once: 500, 500, 200', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    rx.respond = (_r, n) => ({ status: n <= 2 ? 500 : 200 });
    await check(m.id, false, 3);
    await pump(5);
    expect(rx.received).toHaveLength(3);
    const row = (await outboxRows())[0]!;
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    const log = await t.db.selectFrom('deliveries').selectAll().orderBy('id').execute();
    expect(log.map((d) => [d.attempt, d.ok])).toEqual([[1, 0], [2, 0], [3, 1]]);
    expect(log[0]!.response).toMatch(/^HTTP 500/);
    expect(new Set(rx.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('gives up after the last attempt and marks the alert failed', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    rx.respond = () => ({ status: 503 });
    await check(m.id, false, 3);
    await pump(MAX_ATTEMPTS + 3);
    expect(rx.received).toHaveLength(MAX_ATTEMPTS);
    expect((await outboxRows())[0]).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
  });

  it('a crash between send and record re-sends with the same idempotency key; a recorded send is never repeated', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    await check(m.id, false, 3);
    // A worker claims the row and delivers, then dies before recording: only the claim remains.
    const row = (await outboxRows())[0]!;
    await t.db.updateTable('outbox').set({ claimed_until: clock.now() + 60_000 }).where('id', '=', row.id).execute();
    rx.received.push({ method: 'POST', path: '/hook', headers: { 'idempotency-key': row.idempotency_key }, body: '' });
    await pump();
    expect(rx.received).toHaveLength(1); // the lease still holds
    clock.advance(61_000);
    await pump();
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]!.headers['idempotency-key']).toBe(row.idempotency_key);
    await pump(3, 120_000);
    expect(rx.received).toHaveLength(2);
    expect((await outboxRows())[0]!.status).toBe('sent');
  });

  it('one down per outage, no up without a down, and a 410 disables the channel', async () => {
    const { m, ch } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    await check(m.id, false, 10);
    await pump();
    expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['monitor.down']);
    rx.respond = () => ({ status: 410 });
    await check(m.id, true);
    await pump(3);
    expect(rx.received).toHaveLength(2);
    const channel = await t.db.selectFrom('alert_channels').selectAll().where('id', '=', ch.id).executeTakeFirstOrThrow();
    expect(channel.disabled_at).not.toBeNull();
    expect(channel.disabled_reason).toMatch(/410 Gone/);
    const notice = mails.map((mail) => mail.text).find((raw) => raw.includes('Your alert channel "Hook" has been disabled'));
    expect(notice).toContain('Subject: Alert channel "Hook" was disabled');
    expect(notice).toContain('410 Gone');
    await check(m.id, false, 3);
    await pump();
    expect(rx.received).toHaveLength(2); // disabled: nothing more
  });

  it('a flapping target sends one flapping alert, not dozens, and normal alerts resume when stable', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    await t.db.updateTable('monitors').set({ failure_threshold: 1 }).where('id', '=', m.id).execute();
    for (let i = 0; i < 12; i++) await check(m.id, i % 2 === 1);
    await pump(10);
    const types = rx.received.map((r) => JSON.parse(r.body).type);
    expect(types.filter((x) => x === 'monitor.flapping')).toHaveLength(1);
    expect(types.length).toBeLessThanOrEqual(6);
    const before = rx.received.length;
    // Down and stable for a whole window: one down alert for the open incident.
    await check(m.id, false);
    clock.advance(31 * MINUTE);
    await check(m.id, false);
    await pump();
    const after = rx.received.slice(before).map((r) => JSON.parse(r.body).type);
    expect(after).toEqual(['monitor.down']);
  });

  it('a flapping spell that settles up sends the recovery of the outage it interrupted', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    await t.db.updateTable('monitors').set({ failure_threshold: 1 }).where('id', '=', m.id).execute();
    for (let i = 0; i < 6; i++) await check(m.id, i % 2 === 1); // down/up ×3: 6 changes
    await check(m.id, false); // 7th change while flapping: this down is held
    await pump(10);
    const before = rx.received.map((r) => JSON.parse(r.body).type);
    expect(before.filter((x) => x === 'monitor.flapping')).toHaveLength(1);
    const heldDown = before.lastIndexOf('monitor.down');
    await check(m.id, true); // 8th change: recovery held too
    clock.advance(31 * MINUTE);
    await check(m.id, true); // stable for a window, settled up
    await pump(10);
    const after = rx.received.slice(before.length).map((r) => JSON.parse(r.body).type);
    // Only outages whose down was delivered get an up; the held one gets none.
    expect(after.every((x) => x === 'monitor.up')).toBe(true);
    expect(heldDown).toBeGreaterThanOrEqual(0);
  });

  it('maintenance: failures inside a window open nothing and send nothing; afterwards the rules resume', async () => {
    const { account, m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    const w = await t.db
      .insertInto('maintenance_windows')
      .values({ account_id: account.id, title: 'DB upgrade', starts_at: clock.now(), ends_at: clock.now() + 10 * MINUTE, cron: null, duration_minutes: null, timezone: 'UTC', ended_at: null, created_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('maintenance_monitors').values({ window_id: w.id, monitor_id: m.id }).execute();
    await check(m.id, false, 5);
    await pump();
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toHaveLength(0);
    expect(rx.received).toHaveLength(0);
    expect(await t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).execute()).toHaveLength(5);
    clock.advance(10 * MINUTE);
    await check(m.id, false, 3);
    await pump();
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toHaveLength(1);
    expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['monitor.down']);
  });

  it('a recurring window (cron + time zone) covers its occurrences only', async () => {
    const { account, m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    // Every day at 13:00 Paris time (12:00 UTC in November) for 30 minutes; now is 12:00 UTC.
    const w = await t.db
      .insertInto('maintenance_windows')
      .values({ account_id: account.id, title: 'Nightly', starts_at: null, ends_at: null, cron: '0 13 * * *', duration_minutes: 30, timezone: 'Europe/Paris', ended_at: null, created_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('maintenance_monitors').values({ window_id: w.id, monitor_id: m.id }).execute();
    await check(m.id, false, 3); // 12:01–12:03 UTC: inside
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toHaveLength(0);
    clock.advance(40 * MINUTE);
    await check(m.id, false, 3); // 12:44–12:46: outside
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toHaveLength(1);
  });

  it('reminders every N hours while down, each once', async () => {
    const { m } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    await t.db.updateTable('monitors').set({ reminder_hours: 2 }).where('id', '=', m.id).execute();
    await check(m.id, false, 3);
    clock.advance(HOUR);
    expect(await enqueueReminders(t.db, TEST_ALERTS, clock.now())).toBe(0);
    clock.advance(HOUR + MINUTE);
    expect(await enqueueReminders(t.db, TEST_ALERTS, clock.now())).toBe(1);
    expect(await enqueueReminders(t.db, TEST_ALERTS, clock.now())).toBe(0);
    await pump();
    expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['monitor.down', 'monitor.reminder']);
  });

  it('one account’s slow receiver does not hold up another account’s alerts', async () => {
    const slow = await setup({ kind: 'webhook', name: 'Slow', url: `${rx.url}/slow` });
    const other = await makeMonitor(t.db, slow.account.id, { name: 'Second' });
    await setMonitorChannels(deps(), slow.account.id, other.id, [slow.ch.id]);
    const { account: b } = await makeAccount(t.db, clock, 'Bravo');
    const { channel: fast } = await createChannel(deps(), b.id, { kind: 'webhook', name: 'Fast', url: `${rx.url}/fast` });
    const mb = await makeMonitor(t.db, b.id, { name: 'Bravo API' });
    await setMonitorChannels(deps(), b.id, mb.id, [fast.id]);
    rx.respond = (req) => (req.path === '/slow' ? { status: 200, delayMs: 1500 } : { status: 200 });
    await check(slow.m.id, false, 3);
    await check(other.id, false, 3);
    await check(mb.id, false, 3);
    const started = performance.now();
    await dispatcher.tick(); // starts both of the slow account's attempts and the other account's
    while (!rx.received.some((r) => r.path === '/fast')) await new Promise((r) => setTimeout(r, 10));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(dispatcher.inFlight).toBeGreaterThanOrEqual(2);
    await dispatcher.drain();
  });

  it('plans gate channel kinds: free = email, pro = email + webhook', async () => {
    const { account } = await makeAccount(t.db, clock, 'Acme');
    const saas = { ...deps(), policy: SAAS };
    await expect(createChannel(saas, account.id, { kind: 'webhook', name: 'h', url: 'https://hooks.example/x' })).rejects.toThrow(
      'The Free plan includes Email alerts only. Upgrade to use Webhook.',
    );
    await setPlan(t.db, account.id, 'pro');
    await expect(createChannel(saas, account.id, { kind: 'webhook', name: 'h', url: 'https://hooks.example/x' })).resolves.toBeTruthy();
    await expect(createChannel(saas, account.id, { kind: 'slack', name: 's', url: 'https://hooks.slack.com/x' })).rejects.toThrow(/Upgrade to use Slack/);
  });

  it('a test message is clearly marked and reported', async () => {
    const { account, ch } = await setup({ kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    const ok = await sendTest(deps(), account.id, ch.id);
    expect(ok).toMatchObject({ ok: true, response: expect.stringMatching(/^HTTP 200/) });
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ type: 'monitor.test', data: { test: true } });
    await expect(sendTest(deps(), account.id, ch.id)).rejects.toThrow(/Too many attempts/);
    clock.advance(11_000);
    rx.respond = () => ({ status: 404 });
    const bad = await sendTest(deps(), account.id, ch.id);
    expect(bad).toMatchObject({ ok: false, error: 'The receiver answered 404' });
  });
});
