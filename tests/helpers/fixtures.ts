import type { Db } from '../../src/db/create-db.ts';
import { LoginLimits, signUp } from '../../src/domain/accounts/accounts.service.ts';
import type { ProviderUrls } from '../../src/domain/alerts/channels/channel.ts';
import type { PlanPolicy } from '../../src/domain/billing/plans.ts';
import { createMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { NetGuard, OPEN_GUARD } from '../../src/lib/net-guard.ts';
import { memoryRateLimits } from '../../src/lib/rate-limit.ts';
import { domainEvents } from '../../src/runtime/events.ts';

export const SELF_HOSTED: PlanPolicy = { selfHosted: true, minIntervalSeconds: 10, retentionDays: 90 };
export const SAAS: PlanPolicy = { selfHosted: false, minIntervalSeconds: 10, retentionDays: 90 };

let n = 0;

/** An account (with owner and default status page) created through the real sign-up verb. */
export async function makeAccount(db: Db, clock = new ManualClock(Date.now()), org = 'Acme', opts: { verified?: boolean } = {}) {
  const signed = await signUp({ db, clock, loginLimits: new LoginLimits(memoryRateLimits(clock)), signupsOpen: true }, { email: `owner${n++}-${process.pid}@example.com`, password: 'correct horse', organization: org }, 'fixture', null);
  // An established owner has confirmed their address (alerts and notices need it); `verified: false` = just signed up.
  if (opts.verified !== false) {
    await db.updateTable('users').set({ email_verified_at: clock.now() }).where('id', '=', signed.user.id).execute();
    signed.user.emailVerifiedAt = clock.now();
  }
  return signed;
}

export async function makeMonitor(db: Db, accountId: number, over: Record<string, unknown> = {}, policy = SELF_HOSTED, clock = new ManualClock(Date.now())) {
  return createMonitor({ events: TEST_EVENTS, db, clock, policy }, accountId, { name: 'Target', url: 'http://127.0.0.1:9/', interval_seconds: 60, ...over });
}

/** Where alert links point in tests, and the instance kind alerts are gated by. */
/** Guards for probe tests: none, everything private refused, and 127.0.0.1 standing in for a public host (127.0.0.2 and every other private form still refused). */
export { OPEN_GUARD };
export const BLOCK_ALL = new NetGuard({ block: true });
export const LOOPBACK_IS_PUBLIC = new NetGuard({ block: true, allow: ['127.0.0.1/32'] });

export const TEST_ALERTS = { baseUrl: 'http://statusping.test', policy: SELF_HOSTED };

/** Every third-party API base (Telegram, PagerDuty, Opsgenie US and EU, Pushover, Twilio) at one local server. */
export function providersAt(url: string): ProviderUrls {
  return { telegram: url, pagerduty: url, opsgenie: url, opsgenieEu: url, pushover: url, twilio: url };
}
/** The event hub as the runtime wires it (status pages follow incidents and monitors). */
export const TEST_EVENTS = domainEvents({ baseUrl: TEST_ALERTS.baseUrl });
/** What recordResult needs in tests: alerts as above, the wired event hub. */
export const TEST_CHECKS = { alerts: TEST_ALERTS, events: TEST_EVENTS };
