import { z } from 'zod';
import { nameText } from '../../lib/validate.ts';
import { planRank } from '../billing/plans.ts';
import { CHANNEL_KINDS, CHANNELS, type ChannelKind, channelDef, findChannelDef } from './channels/index.ts';

export { type AlertEvent, type AlertEventName, describeEvent, formatDuration } from './event.ts';
export { CHANNEL_KINDS, CHANNELS, type ChannelKind, channelDef, findChannelDef, isChannelKind } from './channels/index.ts';

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

/**
 * Which channel kinds a plan may use: those whose definition names this plan or a cheaper
 * one (free = email; pro adds the webhooks; business has all). Self-hosted instances may use all.
 */
export function allowedKinds(selfHosted: boolean, plan: string): readonly ChannelKind[] {
  if (selfHosted) return CHANNEL_KINDS;
  return CHANNELS.filter((c) => planRank(c.plan) <= planRank(plan)).map((c) => c.kind);
}

/** Every config field name of every kind (the API refuses another kind's settings by these). */
export const ALL_CONFIG_FIELDS: ReadonlySet<string> = new Set(CHANNELS.flatMap((c) => c.fields.map((f) => f.name)));

/** The stored settings a form or API client may see: no credentials, no signing secret. */
export function visibleConfig(ch: Pick<Channel, 'kind' | 'config'>): Record<string, string> {
  const def = findChannelDef(ch.kind);
  if (!def) return {};
  return Object.fromEntries(def.fields.filter((f) => !def.secrets.includes(f.name) && ch.config[f.name] !== undefined).map((f) => [f.name, ch.config[f.name]!]));
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

/** Where a channel sends, without its secret (its definition's `redact`). */
export function redactedTarget(ch: Pick<Channel, 'kind' | 'config'>): string | null {
  return findChannelDef(ch.kind)?.redact(ch.config) ?? null;
}

/** A form checkbox (absent = off) or a JSON boolean. */
const checkbox = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

export const channelName = nameText().min(1, 'Give the channel a name').max(80, 'Keep the name under 80 characters');

export const channelBaseSchema = z.object({
  kind: z.enum(CHANNEL_KINDS, { message: 'Choose a channel type' }),
  name: channelName,
  is_default: checkbox,
});

/** An edit: the kind stays, so it is not read here; `enabled` re-enables a disabled channel. */
export const channelUpdateSchema = channelBaseSchema.omit({ kind: true }).extend({ enabled: checkbox });

/** The label of a kind, for messages. */
export function kindLabel(kind: ChannelKind): string {
  return channelDef(kind).label;
}
