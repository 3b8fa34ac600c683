import { SettledHistoryCache } from '../../src/domain/checks/uptime.service.ts';
import { afterEach, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/create-db.ts';
import { LoginLimits } from '../../src/domain/accounts/accounts.service.ts';
import { HOUR, ManualClock } from '../../src/lib/clock.ts';
import { createLogger, silentLogger } from '../../src/lib/logger.ts';
import { memoryRateLimits } from '../../src/lib/rate-limit.ts';
import { SessionTokens } from '../../src/lib/session-token.ts';
import { alertContext, deliveryDeps, policyFrom } from '../../src/runtime/context.ts';
import { domainEvents } from '../../src/runtime/events.ts';
import { openTestDb, type TestDb } from './db.ts';
import type { TestDbKind } from './env.ts';
import { createApp } from '../../src/web/app.ts';
import type { WebDeps } from '../../src/web/deps.ts';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** The real app over a test database; `env` overrides configuration (e.g. STRIPE_SECRET_KEY for SaaS mode). */
export function buildApp(db: Db, env: Record<string, string> = {}) {
  // SaaS mode needs the rest of the Stripe settings; tests that only want plan limits get stand-ins.
  const stripe = env.STRIPE_SECRET_KEY ? { STRIPE_WEBHOOK_SECRET: 'whsec_test', STRIPE_PRICE_PRO: 'price_pro', STRIPE_PRICE_BUSINESS: 'price_business' } : {};
  const config = loadConfig({ NODE_ENV: 'test', SESSION_SECRET: TEST_SECRET, ALLOW_SIGNUP: '1', ...stripe, ...env });
  const clock = new ManualClock(Date.now());
  // Windows start with the test's clock, so a first request sees a whole window.
  const rateLimits = memoryRateLimits(clock, { origin: clock.now() });
  const deps: WebDeps = {
    config,
    db,
    clock,
    logger: process.env.DEBUG_LOG ? createLogger({ level: 'debug', pretty: false }) : silentLogger,
    tokens: new SessionTokens(TEST_SECRET),
    loginLimits: new LoginLimits(rateLimits),
    signupsOpen: config.allowSignup,
    signupLimit: rateLimits.limiter('signup', 1000, HOUR),
    rateLimits,
    policy: policyFrom(config),
    delivery: { ...deliveryDeps({ config, logger: silentLogger }), timeoutMs: 3000 },
    alerts: alertContext({ config, policy: policyFrom(config) }),
    events: domainEvents({ baseUrl: config.baseUrl }),
    history: new SettledHistoryCache(),
  };
  return { app: createApp(deps), deps, clock };
}

type Fetchable = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

/**
 * A cookie-keeping client over `app.request` that behaves like a browser submitting forms:
 * it reads the CSRF token from the last HTML page it saw.
 */
export class Client {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly app: Fetchable, readonly headers: Record<string, string> = {}) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(path, { headers: { ...this.headers, cookie: this.cookieHeader(), ...headers } });
    this.absorb(res);
    if ((res.headers.get('content-type') ?? '').includes('text/html')) {
      const text = await res.clone().text();
      const m = /name="_csrf" value="([^"]+)"/.exec(text);
      if (m) this.csrf = m[1]!;
    }
    return res;
  }

  /** Fetches a CSRF token if none is known yet. */
  async ensureCsrf(): Promise<void> {
    if (!this.csrf) await this.get('/login');
  }

  async post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    await this.ensureCsrf();
    const body = new URLSearchParams({ _csrf: this.csrf, ...form }).toString();
    const res = await this.app.request(path, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
      body,
    });
    this.absorb(res);
    return res;
  }

  async raw(path: string, init: RequestInit): Promise<Response> {
    const res = await this.app.request(path, { ...init, headers: { cookie: this.cookieHeader(), ...(init.headers as Record<string, string>) } });
    this.absorb(res);
    return res;
  }
}

let seq = 0;

/** Signs up a new user with their own account and returns a logged-in client. */
export async function persona(app: Fetchable, name: string): Promise<Client & { email: string; password: string }> {
  const client = new Client(app) as Client & { email: string; password: string };
  client.email = `${name}-${process.pid}-${seq++}@example.com`;
  client.password = `pw-${name}-secret`;
  const res = await client.post('/signup', { email: client.email, password: client.password, organization: `${name} Org` });
  if (res.status !== 303) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  await client.get('/dashboard');
  return client;
}

export function monitorForm(over: Record<string, string> = {}): Record<string, string> {
  return { name: 'API', url: 'https://example.com/health', interval_seconds: '60', is_public: 'true', ...over };
}

/** Creates a monitor through the UI and returns its id. */
export async function createMonitorVia(client: Client, over: Record<string, string> = {}): Promise<number> {
  const res = await client.post('/monitors', monitorForm(over));
  const loc = res.headers.get('location') ?? '';
  const m = /\/monitors\/(\d+)/.exec(loc);
  if (res.status !== 303 || !m) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return Number(m[1]);
}

/**
 * Per-test database and app for a describe block: `ctx.t` is the fresh database and
 * `ctx.built` the app over it, both replaced before each test.
 */
export function useAppPerTest(kind: TestDbKind): { t: TestDb; built: ReturnType<typeof buildApp> } {
  const ctx = {} as { t: TestDb; built: ReturnType<typeof buildApp> };
  beforeEach(async () => {
    ctx.t = await openTestDb(kind);
    ctx.built = buildApp(ctx.t.db);
  });
  afterEach(() => ctx.t.close());
  return ctx;
}
