import { afterEach, beforeEach } from 'vitest';
import { type AlertDeps, createChannel, sendTest, setMonitorChannels } from '../../src/domain/alerts/alerts.service.ts';
import type { ChannelKind } from '../../src/domain/alerts/alerts.ts';
import type { RenderContext } from '../../src/domain/alerts/channels/channel.ts';
import type { AlertEvent } from '../../src/domain/alerts/event.ts';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { ManualClock, MINUTE } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { createMailer } from '../../src/lib/mail.ts';
import { OPEN_GUARD, type NetGuard } from '../../src/lib/net-guard.ts';
import { Dispatcher } from '../../src/worker/dispatch-outbox.ts';
import { openTestDb, type TestDb } from './db.ts';
import type { TestDbKind } from './env.ts';
import { makeAccount, makeMonitor, providersAt, SELF_HOSTED, TEST_CHECKS } from './fixtures.ts';
import type { Receiver } from './receiver.ts';

/**
 * A valid configuration of every kind, as a form or API client sends it. Typed by the
 * registry, so a new channel does not compile until it has one. `{rx}` is replaced by the
 * local receiver's URL where the channel sends to a URL the user supplies.
 */
export const SAMPLE_CONFIGS: Record<ChannelKind, Record<string, string>> = {
  email: { recipients: 'ops@example.com' },
  webhook: { url: '{rx}/hook?token=sample-webhook-secret' },
  custom_webhook: { url: '{rx}/custom?token=sample-custom-secret', content_type: 'application/json', template: '{"text": "{{summary}}"}' },
  slack: { url: '{rx}/slack/sample-slack-secret' },
  discord: { url: '{rx}/discord/sample-discord-secret' },
  teams: { url: '{rx}/teams/sample-teams-secret' },
  google_chat: { url: '{rx}/v1/spaces/AAA/messages?key=sample-gchat-key&token=sample-gchat-secret' },
  mattermost: { url: '{rx}/hooks/sample-mattermost-secret', username: 'StatusPing', icon_url: '' },
  rocketchat: { url: '{rx}/hooks/ID/sample-rocketchat-secret' },
  matrix: { homeserver: '{rx}', access_token: 'syt_sample_matrix_secret_0123456789', room_id: '!room:example.org' },
  telegram: { bot_token: '123456:SAMPLETELEGRAMSECRET0123', chat_id: '42' },
  ntfy: { url: '{rx}/ntfy/sample-ntfy-secret' },
  gotify: { server: '{rx}', app_token: 'AsampleGotifySecret' },
  pushover: { app_token: 'SamplePushoverAppSecret0123456', user_key: 'SamplePushoverUserSecret012345', priority: '1' },
  twilio: { account_sid: 'AC0123456789abcdef0123456789abcdef', auth_token: '5ec7e7ab5ec7e7ab5ec7e7ab5ec7e7ab', from: '+14155550100', to: '+14155550123' },
  pagerduty: { routing_key: 'SAMPLEPAGERDUTYSECRET0123456789AB' },
  opsgenie: { api_key: '0a1b2c3d-sample-opsgenie-secret', region: 'us', priority: 'P1' },
};

export function sampleConfig(kind: ChannelKind, rxUrl: string): Record<string, string> {
  return Object.fromEntries(Object.entries(SAMPLE_CONFIGS[kind]).map(([k, v]) => [k, v.replace('{rx}', rxUrl)]));
}

const T0 = Date.UTC(2026, 0, 15, 9, 30);

/** A down alert as the outbox freezes it, for payload tests. */
export const DOWN: AlertEvent = {
  event: 'down',
  monitor: { id: 42, name: 'Checkout API', url: 'https://shop.example/health' },
  incident: { id: 7, startedAt: T0, resolvedAt: null, cause: 'Unexpected status 503 (expected 200-399)' },
  link: 'https://statusping.example/monitors/42',
  account: 'Acme',
  at: T0,
};

/** Its recovery, five minutes later. */
export const UP: AlertEvent = { ...DOWN, event: 'up', incident: { ...DOWN.incident!, resolvedAt: T0 + 5 * MINUTE }, at: T0 + 5 * MINUTE };

export const TEST_EVENT: AlertEvent = { ...DOWN, event: 'test', incident: null, monitor: { id: 0, name: 'On-call', url: 'https://statusping.example' } };

/** A render context whose provider APIs are all at `url`. */
export function renderCtx(url = 'https://provider.test', key = 'incident-7:channel-3:down'): RenderContext {
  return { idempotencyKey: key, timestamp: Math.floor(T0 / 1000), providers: providersAt(url) };
}

/**
 * A channel run for real: created through the service (validation, plan and guard), a
 * monitor goes down and recovers, and the worker's dispatcher delivers to the local
 * receiver `rx` standing in for the provider.
 */
export function useChannelRun(dbKind: TestDbKind, rx: Receiver) {
  let t: TestDb;
  let clock: ManualClock;
  let dispatcher: Dispatcher;
  const delivery = (guard: NetGuard = OPEN_GUARD) => ({
    mailer: createMailer({ from: 'StatusPing <alerts@statusping.test>', resendBaseUrl: 'http://127.0.0.1:9' }, silentLogger),
    guard,
    providers: providersAt(rx.url),
    timeoutMs: 2000,
  });
  const deps = (guard?: NetGuard): AlertDeps => ({ db: t.db, clock, policy: SELF_HOSTED, delivery: delivery(guard), baseUrl: 'http://statusping.test' });

  beforeEach(async () => {
    t = await openTestDb(dbKind);
    clock = new ManualClock(Date.UTC(2026, 10, 20, 12));
    rx.received.length = 0;
    rx.respond = () => ({ status: 200, body: '{"ok":true}' });
    dispatcher = new Dispatcher({ db: t.db, clock, logger: silentLogger, delivery: delivery(), random: () => 0 });
  });
  afterEach(() => t.close());

  async function pump(rounds = 3) {
    for (let i = 0; i < rounds; i++) {
      await dispatcher.tick();
      await dispatcher.drain();
      clock.advance(MINUTE);
    }
  }

  async function check(monitorId: number, ok: boolean, times = 1) {
    for (let i = 0; i < times; i++) {
      clock.advance(MINUTE);
      const result = { ok, statusCode: ok ? 200 : 503, responseMs: 12, error: ok ? null : 'Unexpected status 503 (expected 200-399)' };
      await recordResult(t.db, monitorId, result, clock.now(), TEST_CHECKS);
    }
  }

  return {
    deps,
    get db() {
      return t.db;
    },
    async create(raw: Record<string, string>, guard?: NetGuard) {
      const { account } = await makeAccount(t.db, clock, 'Acme');
      const { channel } = await createChannel(deps(guard), account.id, raw);
      return { account, channel };
    },
    /** Creates the channel, takes a monitor down (3 failures) and up again, and returns what the receiver got. */
    async outage(raw: Record<string, string>, monitor: { name?: string; url?: string } = {}) {
      const { account, channel } = await this.create(raw);
      const m = await makeMonitor(t.db, account.id, { name: monitor.name ?? 'Checkout API', url: monitor.url ?? 'https://shop.example/health' });
      await setMonitorChannels(deps(), account.id, m.id, [channel.id]);
      await check(m.id, false, 3);
      await pump();
      await check(m.id, true);
      await pump();
      const log = await t.db.selectFrom('deliveries').select(['ok', 'response', 'error']).orderBy('id').execute();
      return { channel, account, received: [...rx.received], log };
    },
    /** Send test, as the channel's button does. */
    async test(raw: Record<string, string>) {
      const { account, channel } = await this.create(raw);
      return sendTest(deps(), account.id, channel.id);
    },
  };
}

/** The fields of an application/x-www-form-urlencoded body. */
export function formBody(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}
