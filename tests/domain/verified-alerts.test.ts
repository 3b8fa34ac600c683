import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannel, setMonitorChannels } from '../../src/domain/alerts/alerts.service.ts';
import { sendVerificationEmail, verifyEmail } from '../../src/domain/accounts/email-verification.service.ts';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { ManualClock, MINUTE } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/lib/mail.ts';
import { Dispatcher } from '../../src/worker/dispatch-outbox.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, SELF_HOSTED, OPEN_GUARD, TEST_CHECKS, providersAt } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { linkIn, useSmtp } from '../helpers/smtp.ts';

const smtp = useSmtp();

describe.each(testDbKinds())('email alerts to verified addresses only, on %s', (kind) => {
  let t: TestDb;
  let clock: ManualClock;
  const delivery = () => ({
    mailer: createMailer({ from: 'StatusPing <alerts@statusping.test>', smtpUrl: smtp.url, resendBaseUrl: 'http://127.0.0.1:9' }, silentLogger),
    guard: OPEN_GUARD,
    providers: providersAt('http://127.0.0.1:9'),
    timeoutMs: 3000,
  });

  beforeEach(async () => {
    t = await openTestDb(kind);
    clock = new ManualClock(Date.UTC(2026, 10, 20, 12));
    smtp.mails.length = 0;
  });
  afterEach(() => t.close());

  async function outage(monitorId: number, ok: boolean, times: number) {
    for (let i = 0; i < times; i++) {
      clock.advance(MINUTE);
      await recordResult(t.db, monitorId, { ok, statusCode: ok ? 200 : 500, responseMs: 10, error: ok ? null : 'Unexpected status 500' }, clock.now(), TEST_CHECKS);
    }
    const dispatcher = new Dispatcher({ db: t.db, clock, logger: silentLogger, delivery: delivery(), random: () => 0 });
    await dispatcher.tick();
    await dispatcher.drain();
  }

  it("skips an unverified member's address with a logged reason, keeps other addresses, and delivers once verified", async () => {
    const { account, user } = await makeAccount(t.db, clock, 'Acme', { verified: false });
    const deps = { db: t.db, clock, policy: SELF_HOSTED, delivery: delivery(), baseUrl: 'http://statusping.test' };
    const { channel: own } = await createChannel(deps, account.id, { kind: 'email', name: 'Me', recipients: user.email });
    const { channel: mixed } = await createChannel(deps, account.id, { kind: 'email', name: 'Me and team', recipients: `${user.email}, team@example.com` });
    const m = await makeMonitor(t.db, account.id, { name: 'Checkout' });
    await setMonitorChannels(deps, account.id, m.id, [own.id, mixed.id]);

    await outage(m.id, false, 3);
    const log = await t.db.selectFrom('deliveries').selectAll().orderBy('channel_id').execute();
    expect(log).toHaveLength(2);
    const [ownLog, mixedLog] = [log.find((d) => d.channel_id === own.id)!, log.find((d) => d.channel_id === mixed.id)!];
    expect(ownLog.ok).toBe(0);
    expect(ownLog.error).toBe(`Not sent: skipped ${user.email}: not verified yet (the user must follow the link emailed at sign-up)`);
    expect(mixedLog.ok).toBe(1);
    expect(mixedLog.response).toContain(`skipped ${user.email}`);
    const down = await smtp.waitFor((mail) => mail.to.includes('team@example.com'));
    expect(down.to).toEqual(['team@example.com']);
    expect(smtp.mails.some((mail) => mail.to.includes(user.email))).toBe(false);
    const ownRow = await t.db.selectFrom('outbox').selectAll().where('channel_id', '=', own.id).executeTakeFirstOrThrow();
    expect(ownRow.status).toBe('failed'); // permanent: retrying cannot help until the user verifies

    // The owner follows the link from their verification email; the recovery reaches them.
    await sendVerificationEmail({ db: t.db, clock, mailer: delivery().mailer, baseUrl: 'http://statusping.test', logger: silentLogger }, user);
    const link = linkIn(await smtp.waitFor((mail) => mail.to.includes(user.email) && mail.text.includes('/verify-email/')), '/verify-email/');
    await verifyEmail({ db: t.db, clock }, link.split('/').pop());
    smtp.mails.length = 0;
    await outage(m.id, true, 1);
    // Both channels follow their "down" with an "up"; the owner is now on both.
    const upMixed = await smtp.waitFor((mail) => mail.to.includes(user.email) && mail.to.includes('team@example.com'));
    expect(upMixed.to).toHaveLength(2);
    const upOwn = await smtp.waitFor((mail) => mail.to.length === 1 && mail.to[0] === user.email);
    expect(upOwn.text).toContain('Checkout');
  });

  it('the notice about a channel disabled by 410 Gone goes only to verified owners', async () => {
    const rx = await startReceiver();
    try {
      rx.respond = () => ({ status: 410 });
      const deps = { db: t.db, clock, policy: SELF_HOSTED, delivery: delivery(), baseUrl: 'http://statusping.test' };
      const unverified = await makeAccount(t.db, clock, 'Fresh', { verified: false });
      const verified = await makeAccount(t.db, clock, 'Established');
      for (const a of [unverified, verified]) {
        const { channel } = await createChannel(deps, a.account.id, { kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
        const m = await makeMonitor(t.db, a.account.id);
        await setMonitorChannels(deps, a.account.id, m.id, [channel.id]);
        await outage(m.id, false, 3);
      }
      const disabled = await t.db.selectFrom('alert_channels').select('disabled_at').execute();
      expect(disabled.every((c) => c.disabled_at !== null)).toBe(true);
      await smtp.waitFor((mail) => mail.to.includes(verified.user.email) && mail.text.includes('has been disabled'));
      expect(smtp.mails.some((mail) => mail.to.includes(unverified.user.email))).toBe(false);
    } finally {
      await rx.close();
    }
  });
});
