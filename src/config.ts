import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseResolver, type Resolver } from './lib/resolver.ts';

/** Typed, frozen configuration, parsed once from the environment at startup. */
export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Public base URL used in links (emails, status pages); also decides the Secure cookie flag. */
  readonly baseUrl: string;
  /** Secret for session JWTs and CSRF tokens; when unset a random one is generated and kept in the database. */
  readonly sessionSecret: string | undefined;
  readonly stripeSecretKey: string | undefined;
  /** Billing through Stripe; set exactly when STRIPE_SECRET_KEY is (SaaS mode). */
  readonly stripe: StripeConfig | undefined;
  /** Self-hosted = no Stripe key: no plan limits. */
  readonly selfHosted: boolean;
  readonly minIntervalSeconds: number;
  readonly retentionDays: number;
  readonly trustProxy: boolean;
  /** Anyone may sign up. Default: yes in SaaS mode; self-hosted, only the first user (the admin). */
  readonly allowSignup: boolean;
  readonly blockPrivateTargets: boolean;
  /** CIDR ranges exempted from the private-target block (ALLOWED_PRIVATE_TARGETS), e.g. one internal service. */
  readonly allowedPrivateTargets: readonly string[];
  readonly logLevel: string;
  readonly workerConcurrency: number;
  readonly mail: { from: string; resendApiKey?: string; resendBaseUrl: string; smtpUrl?: string };
  /** Browser journeys: on for self-hosted with BROWSER_CHECKS=1; in SaaS mode for the business plan. */
  /** Name of this check node, stored with each result (default "local"). */
  readonly region: string;
  readonly browserChecks: boolean;
  readonly chromiumPath: string;
  readonly browserConcurrency: number;
  /** Resolver for custom-domain TXT checks, e.g. "1.1.1.1" or "127.0.0.1:5353"; unset = the system's resolvers. */
  readonly dnsVerifyResolver: string | undefined;
  /** Provider API base URLs (overridable for tests and proxies). */
  readonly providers: { telegram: string; pagerduty: string; opsgenie: string; opsgenieEu: string; pushover: string; twilio: string };
}

export interface StripeConfig {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly prices: { readonly pro: string; readonly business: string };
  /** Another API host (a local stand-in in tests), e.g. http://127.0.0.1:12111; unset = Stripe's own. */
  readonly apiBase: string | undefined;
}

export class ConfigError extends Error {}

const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'must be file:<path> or postgres://…')
    .default('file:data/statusping.db'),
  BASE_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_PRICE_PRO: z.string().min(1).optional(),
  STRIPE_PRICE_BUSINESS: z.string().min(1).optional(),
  STRIPE_API_BASE: z.string().url().regex(/^https?:\/\//, 'must be http://host:port or https://host').optional(),
  MIN_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86400).default(10),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  TRUST_PROXY: bool.default(false),
  ALLOW_SIGNUP: bool.optional(),
  BLOCK_PRIVATE_TARGETS: bool.default(false),
  ALLOWED_PRIVATE_TARGETS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every(isCidr), 'comma-separated CIDR ranges, e.g. 10.1.2.0/24,fd00::/64')
    .default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10000).default(500),
  MAIL_FROM: z.string().min(3).default('StatusPing <alerts@statusping.localhost>'),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.string().url().default('https://api.resend.com'),
  SMTP_URL: z.string().regex(/^smtps?:\/\/.+/, 'must be smtp://user:pass@host:port or smtps://…').optional(),
  REGION: z.string().regex(/^[a-z0-9-]{1,32}$/, 'lowercase letters, digits and dashes').default('local'),
  BROWSER_CHECKS: bool.default(false),
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  BROWSER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  DNS_VERIFY_RESOLVER: z
    .string()
    .refine((v) => typeof parseResolver(v) !== 'string', 'an IP address with an optional port, e.g. 1.1.1.1, 127.0.0.1:5353 or [::1]:53')
    .transform((v) => (parseResolver(v) as Resolver).server)
    .optional(),
  TELEGRAM_API_URL: z.string().url().default('https://api.telegram.org'),
  PAGERDUTY_EVENTS_URL: z.string().url().default('https://events.pagerduty.com'),
  OPSGENIE_API_URL: z.string().url().default('https://api.opsgenie.com'),
  OPSGENIE_EU_API_URL: z.string().url().default('https://api.eu.opsgenie.com'),
  PUSHOVER_API_URL: z.string().url().default('https://api.pushover.net'),
  TWILIO_API_URL: z.string().url().default('https://api.twilio.com'),
});

/** A provider API base without its trailing slashes, so paths can be appended. */
function base(url: string): string {
  return url.replace(/\/+$/, '');
}

function isCidr(v: string): boolean {
  try {
    ipaddr.parseCIDR(v);
    return true;
  } catch {
    return false;
  }
}

const FILE_SUFFIX = '_FILE';

/** Reads `X_FILE` secrets into `X` so containers can mount secrets as files. */
function resolveFileVars(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith(FILE_SUFFIX) || !value) continue;
    const name = key.slice(0, -FILE_SUFFIX.length);
    // Only our own variables: other tools' *_FILE settings are none of our business.
    if (!(name in schema.shape)) continue;
    try {
      out[name] = readFileSync(value, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`${key}: cannot read ${value} (${(err as Error).message})`);
    }
  }
  // Empty strings mean "unset" so `FOO=` in a .env file does not fail validation.
  for (const [key, value] of Object.entries(out)) if (value === '') delete out[key];
  return out;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(resolveFileVars(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const stripe = stripeConfig(e);
  const displayHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    baseUrl: (e.BASE_URL ?? `http://${displayHost}:${e.PORT}`).replace(/\/+$/, ''),
    sessionSecret: e.SESSION_SECRET,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    stripe,
    selfHosted: !e.STRIPE_SECRET_KEY,
    minIntervalSeconds: e.MIN_INTERVAL_SECONDS,
    retentionDays: e.RETENTION_DAYS,
    trustProxy: e.TRUST_PROXY,
    allowSignup: e.ALLOW_SIGNUP ?? !!e.STRIPE_SECRET_KEY,
    blockPrivateTargets: e.BLOCK_PRIVATE_TARGETS || !!e.STRIPE_SECRET_KEY,
    allowedPrivateTargets: Object.freeze(e.ALLOWED_PRIVATE_TARGETS),
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    region: e.REGION,
    browserChecks: e.BROWSER_CHECKS,
    chromiumPath: e.CHROMIUM_PATH,
    browserConcurrency: e.BROWSER_CONCURRENCY,
    mail: { from: e.MAIL_FROM, resendApiKey: e.RESEND_API_KEY, resendBaseUrl: e.RESEND_BASE_URL, smtpUrl: e.SMTP_URL },
    dnsVerifyResolver: e.DNS_VERIFY_RESOLVER,
    providers: Object.freeze({
      telegram: base(e.TELEGRAM_API_URL),
      pagerduty: base(e.PAGERDUTY_EVENTS_URL),
      opsgenie: base(e.OPSGENIE_API_URL),
      opsgenieEu: base(e.OPSGENIE_EU_API_URL),
      pushover: base(e.PUSHOVER_API_URL),
      twilio: base(e.TWILIO_API_URL),
    }),
  });
}

/**
 * A Stripe key turns billing on, and billing cannot work without the webhook secret and
 * both prices: refuse to start rather than fail at the first upgrade. Values never appear
 * in the message, only the names of the missing variables.
 */
function stripeConfig(e: z.infer<typeof schema>): StripeConfig | undefined {
  if (!e.STRIPE_SECRET_KEY) return undefined;
  const missing = (['STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_PRO', 'STRIPE_PRICE_BUSINESS'] as const).filter((k) => !e[k]);
  if (missing.length) {
    throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required when STRIPE_SECRET_KEY is set`).join('\n')}`);
  }
  return Object.freeze({
    secretKey: e.STRIPE_SECRET_KEY,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
    prices: Object.freeze({ pro: e.STRIPE_PRICE_PRO!, business: e.STRIPE_PRICE_BUSINESS! }),
    apiBase: e.STRIPE_API_BASE?.replace(/\/+$/, ''),
  });
}
