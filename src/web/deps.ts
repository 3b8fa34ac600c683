import type { Config } from '../config.ts';
import type { Db } from '../db/create-db.ts';
import type { LoginLimits } from '../domain/accounts/accounts.service.ts';
import type { SignedIn } from '../domain/accounts/accounts.service.ts';
import type { DeliveryDeps } from '../domain/alerts/deliver.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import type { PlanPolicy } from '../domain/billing/plans.ts';
import type { SettledHistoryCache } from '../domain/checks/uptime.service.ts';
import type { DomainEventHub } from '../domain/events.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { RateLimiter, RateLimits } from '../lib/rate-limit.ts';
import type { SessionTokens } from '../lib/session-token.ts';

export interface WebDeps {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  tokens: SessionTokens;
  loginLimits: LoginLimits;
  signupsOpen: boolean;
  signupLimit: RateLimiter;
  /** Builds the routes' limiters: in memory, or shared by every web process on PostgreSQL. */
  rateLimits: RateLimits;
  policy: PlanPolicy;
  delivery: DeliveryDeps;
  alerts: AlertContext;
  /** Who follows what services change (status pages follow monitors and incidents); see runtime/events.ts. */
  events: DomainEventHub;
  /** Settled days of daily rollups, shared by status pages and the dashboard. */
  history: SettledHistoryCache;
}

export type FormData = Record<string, string>;

/** Hono context variables set by the middleware. */
export interface AppEnv {
  Variables: {
    deps: WebDeps;
    auth: SignedIn | null;
    csrf: string;
    form: FormData;
    clientIp: string;
    /** The signed-in user's accounts, for the account switcher (set on dashboard pages). */
    memberships?: { id: number; name: string; role: string }[];
    /** Set by the status-page guard: this answer is for one visitor only (never cached by proxies). */
    privateAnswer?: boolean;
    /** The security headers of this request (see middleware/security-headers.ts). */
    securityHeaders?: Readonly<Record<string, string>>;
  };
}
