import { z } from 'zod';
import { httpUrl } from '../../lib/validate.ts';
import { PLAN_FEATURES } from '../billing/plans.ts';

export const CHANNEL_KINDS = ['email', 'webhook', 'slack', 'discord', 'teams', 'telegram', 'ntfy', 'pagerduty'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export type AlertEventName = 'down' | 'up' | 'reminder' | 'flapping' | 'tls_expiry' | 'test';

/** What an alert says, frozen into the outbox row when it is written. */
export interface AlertEvent {
  event: AlertEventName;
  monitor: { id: number; name: string; url: string };
  incident: { id: number; startedAt: number; resolvedAt: number | null; cause: string } | null;
  /** Link to the monitor page in the dashboard. */
  link: string;
  account: string;
  at: number;
  /** tls_expiry: the certificate's days left and expiry time. */
  cert?: { daysLeft: number; validTo: number };
}

export interface Channel {
  id: number;
  accountId: number;
  kind: ChannelKind;
  name: string;
  config: Record<string, string>;
  isDefault: boolean;
  disabledAt: number | null;
  disabledReason: string | null;
}

/** Which channel kinds a plan may use (billing's PLAN_FEATURES says); self-hosted instances may use all. */
export function allowedKinds(selfHosted: boolean, plan: string): readonly ChannelKind[] {
  return selfHosted ? CHANNEL_KINDS : CHANNEL_KINDS.filter((kind) => PLAN_FEATURES.alertChannel(plan, kind));
}

const httpsUrl = httpUrl();

const emails = z
  .string()
  .trim()
  .min(1, 'Enter at least one email address')
  .transform((v) => v.split(/[,\s;]+/).filter(Boolean))
  .pipe(z.array(z.string().email('One of the addresses is not valid')).max(20, 'At most 20 recipients'))
  .transform((list) => list.join(', '));

function perKind<T>(f: (k: ChannelKind) => T): Record<ChannelKind, T> {
  const out = {} as Record<ChannelKind, T>;
  for (const k of CHANNEL_KINDS) out[k] = f(k);
  return out;
}

const CONFIG_SHAPES = {
  email: { recipients: emails },
  webhook: { url: httpsUrl },
  slack: { url: httpsUrl },
  discord: { url: httpsUrl },
  teams: { url: httpsUrl },
  ntfy: { url: httpsUrl },
  telegram: {
    bot_token: z.string().trim().regex(/^\d+:[\w-]{20,}$/, 'A bot token looks like 123456:ABC-DEF…'),
    chat_id: z.string().trim().regex(/^-?\d+$|^@\w{4,}$/, 'A chat id is a number (or @channelname)'),
  },
  pagerduty: { routing_key: z.string().trim().regex(/^[\w]{20,40}$/, 'The integration (routing) key is 32 letters and digits') },
} satisfies Record<ChannelKind, Record<string, z.ZodType<string, unknown>>>;

/** Per-kind configuration fields, validated from the form (on create and on edit). */
export const CONFIG_SCHEMAS = perKind((k): z.ZodType<Record<string, string>> => z.object(CONFIG_SHAPES[k]));

/** The configuration fields each kind's form has. */
export const CONFIG_FIELDS = perKind((k): readonly string[] => Object.keys(CONFIG_SHAPES[k]));

/**
 * Configuration fields that are credentials: the incoming-webhook URLs of Slack, Discord and
 * Teams carry their token, an ntfy topic URL lets anyone read the topic, and a generic
 * webhook URL often has a token in its query. They are never shown again once saved; on edit
 * a blank field keeps the stored value. (A webhook's signing secret is no field at all.)
 */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  email: [],
  webhook: ['url'],
  slack: ['url'],
  discord: ['url'],
  teams: ['url'],
  ntfy: ['url'],
  telegram: ['bot_token'],
  pagerduty: ['routing_key'],
};

/** The stored settings a form or API client may see: no credentials, no signing secret. */
export function visibleConfig(ch: Pick<Channel, 'kind' | 'config'>): Record<string, string> {
  return Object.fromEntries(CONFIG_FIELDS[ch.kind].filter((f) => !SECRET_FIELDS[ch.kind].includes(f) && ch.config[f] !== undefined).map((f) => [f, ch.config[f]!]));
}

/** A stand-in for a stored credential that tells which one it is without revealing it. */
export function maskedSecret(value: string | undefined): string {
  if (!value) return '';
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.protocol}//${u.host}/••••••••`;
  } catch {
    // not a URL: a token or key
  }
  return '••••••••';
}

export const KIND_LABELS: Record<ChannelKind, string> = {
  email: 'Email',
  webhook: 'Webhook',
  slack: 'Slack',
  discord: 'Discord',
  teams: 'Microsoft Teams',
  telegram: 'Telegram',
  ntfy: 'ntfy',
  pagerduty: 'PagerDuty',
};

/** Kinds whose form has a URL field. */
export const URL_KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'discord', 'teams', 'ntfy'];

/** A form checkbox (absent = off) or a JSON boolean. */
const checkbox = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

export const channelBaseSchema = z.object({
  kind: z.enum(CHANNEL_KINDS, { message: 'Choose a channel type' }),
  name: z.string().trim().min(1, 'Give the channel a name').max(80, 'Keep the name under 80 characters'),
  is_default: checkbox,
});

/** An edit: the kind stays, so it is not read here; `enabled` re-enables a disabled channel. */
export const channelUpdateSchema = channelBaseSchema.omit({ kind: true }).extend({ enabled: checkbox });

export function describeEvent(e: AlertEvent): { title: string; summary: string } {
  const name = e.monitor.name;
  switch (e.event) {
    case 'down':
      return { title: `🔴 ${name} is down`, summary: `${name} is down: ${e.incident?.cause ?? 'check failed'}` };
    case 'up': {
      const d = e.incident?.resolvedAt ? formatDuration(e.incident.resolvedAt - e.incident.startedAt) : '';
      return { title: `🟢 ${name} is back up`, summary: `${name} is back up${d ? ` after ${d} of downtime` : ''}` };
    }
    case 'reminder':
      return { title: `🔴 ${name} is still down`, summary: `${name} is still down: ${e.incident?.cause ?? 'check failed'}` };
    case 'flapping':
      return { title: `🟠 ${name} is flapping`, summary: `${name} keeps going up and down; alerts are held until it is stable` };
    case 'tls_expiry': {
      const d = e.cert?.daysLeft ?? 0;
      const when = e.cert ? new Date(e.cert.validTo).toISOString().slice(0, 10) : '';
      return { title: `🟠 ${name}: TLS certificate expires in ${d} day${d === 1 ? '' : 's'}`, summary: `The TLS certificate of ${name} expires on ${when} (${d} day${d === 1 ? '' : 's'} left). Renew it before visitors see errors.` };
    }
    case 'test':
      return { title: `StatusPing test message`, summary: `This is a test of the "${name}" channel from StatusPing. No action is needed.` };
  }
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 24 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Where a channel sends, without its secret: the host of a webhook-style URL (for Slack,
 * Discord, Teams and ntfy the URL is the credential) or the domains of the email recipients.
 */
export function redactedTarget(ch: Pick<Channel, 'kind' | 'config'>): string | null {
  if (ch.kind === 'email') {
    const domains = [...new Set((ch.config.recipients ?? '').split(/[,\s;]+/).filter(Boolean).map((a) => a.split('@')[1] ?? ''))].filter(Boolean);
    return domains.length ? domains.join(', ') : null;
  }
  if (ch.kind === 'telegram') return 'api.telegram.org';
  if (ch.kind === 'pagerduty') return 'events.pagerduty.com';
  try {
    return new URL(ch.config.url ?? '').hostname || null;
  } catch {
    return null;
  }
}
