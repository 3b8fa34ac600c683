import { SettledHistoryCache } from '../domain/checks/uptime.service.ts';
import { type Config, loadConfig } from '../config.ts';
import { createDb, type Db } from '../db/create-db.ts';
import { migrate } from '../db/migrate.ts';
import { LoginLimits } from '../domain/accounts/accounts.service.ts';
import { settingOrInsert } from '../domain/accounts/instance-settings.repository.ts';
import type { PlanPolicy } from '../domain/billing/plans.ts';
import { type Clock, HOUR, systemClock } from '../lib/clock.ts';
import { randomToken } from '../lib/ids.ts';
import { createLogger, type Logger } from '../lib/logger.ts';
import { BrowserPool } from '../lib/browser-pool.ts';
import { NetGuard } from '../lib/net-guard.ts';
import { createMailer } from '../lib/mail.ts';
import type { DeliveryDeps } from '../domain/alerts/deliver.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import { createRateLimits } from '../lib/rate-limit-store.ts';
import { domainEvents } from './events.ts';
import { SessionTokens } from '../lib/session-token.ts';
import type { WebDeps } from '../web/deps.ts';
import type { WorkerDeps } from '../worker/deps.ts';

export interface Runtime {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  policy: PlanPolicy;
}

const guards = new WeakMap<Config, NetGuard>();

/** The SSRF guard of this configuration (one per config, so its connection pools are shared). */
export function netGuard(config: Config): NetGuard {
  let g = guards.get(config);
  if (!g) guards.set(config, (g = new NetGuard({ block: config.blockPrivateTargets, allow: config.allowedPrivateTargets })));
  return g;
}

/** How alerts leave this instance: mail provider, provider URLs, SSRF guard, deadline. */
export function deliveryDeps(rt: Pick<Runtime, 'config' | 'logger'>): DeliveryDeps {
  return {
    mailer: createMailer(rt.config.mail, rt.logger),
    guard: netGuard(rt.config),
    providers: rt.config.providers,
    timeoutMs: 10_000,
  };
}

export function alertContext(rt: Pick<Runtime, 'config' | 'policy'>): AlertContext {
  return { baseUrl: rt.config.baseUrl, policy: rt.policy };
}

export function policyFrom(config: Config): PlanPolicy {
  return { selfHosted: config.selfHosted, minIntervalSeconds: config.minIntervalSeconds, retentionDays: config.retentionDays };
}

/** Config, logger and a migrated database: what every entry point starts from. */
export async function openRuntime(env = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel, pretty: config.env === 'development' && process.stdout.isTTY === true });
  const db = createDb(config.databaseUrl);
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  return { config, db, clock: systemClock, logger, policy: policyFrom(config) };
}

/**
 * SESSION_SECRET, or a random secret generated once and kept in the database so sessions
 * survive restarts on a quick-start install.
 */
export async function sessionSecret(rt: Pick<Runtime, 'config' | 'db'>): Promise<string> {
  if (rt.config.sessionSecret) return rt.config.sessionSecret;
  return settingOrInsert(rt.db, 'session_secret', randomToken(48));
}

export async function webDeps(rt: Runtime): Promise<WebDeps> {
  const rateLimits = await createRateLimits(rt.config.databaseUrl, rt.clock);
  return {
    ...rt,
    tokens: new SessionTokens(await sessionSecret(rt)),
    loginLimits: new LoginLimits(rateLimits),
    signupsOpen: rt.config.allowSignup,
    signupLimit: rateLimits.limiter('signup', 20, HOUR),
    rateLimits,
    delivery: deliveryDeps(rt),
    alerts: alertContext(rt),
    events: domainEvents({ baseUrl: rt.config.baseUrl }),
    history: new SettledHistoryCache(),
  };
}

export function workerDeps(rt: Runtime): WorkerDeps {
  return {
    ...rt,
    // Launched on first use only, so instances without browser monitors never start chromium.
    probe: {
      guard: netGuard(rt.config),
      browsers: rt.config.browserChecks || !rt.config.selfHosted ? new BrowserPool(rt.config.chromiumPath, rt.config.browserConcurrency, netGuard(rt.config)) : undefined,
    },
    concurrency: rt.config.workerConcurrency,
    alerts: alertContext(rt),
    events: domainEvents({ baseUrl: rt.config.baseUrl }),
    delivery: deliveryDeps(rt),
    region: rt.config.region,
    dnsVerifyResolver: rt.config.dnsVerifyResolver,
  };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush?.();
        process.exit(0);
      })
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
