import type { ChannelDefinition } from './channel.ts';
import { customWebhook } from './custom-webhook.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { googleChat } from './google-chat.ts';
import { gotify } from './gotify.ts';
import { matrix } from './matrix.ts';
import { mattermost } from './mattermost.ts';
import { ntfy } from './ntfy.ts';
import { opsgenie } from './opsgenie.ts';
import { pagerduty } from './pagerduty.ts';
import { pushover } from './pushover.ts';
import { rocketchat } from './rocketchat.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { telegram } from './telegram.ts';
import { twilio } from './twilio.ts';
import { webhook } from './webhook.ts';

/**
 * Every alert channel, one line each, in the order the type picker shows them. The kind
 * list, forms, validation, API schema and docs, secrets handling, plan gating and delivery
 * all read this list; a new channel is one module here plus its test.
 */
export const CHANNELS = [
  email,
  webhook,
  customWebhook,
  slack,
  discord,
  teams,
  googleChat,
  mattermost,
  rocketchat,
  matrix,
  telegram,
  ntfy,
  gotify,
  pushover,
  twilio,
  pagerduty,
  opsgenie,
] as const;

export type ChannelKind = (typeof CHANNELS)[number]['kind'];

export const CHANNEL_KINDS = CHANNELS.map((c) => c.kind) as unknown as readonly [ChannelKind, ...ChannelKind[]];

const BY_KIND = new Map<string, ChannelDefinition<ChannelKind>>(CHANNELS.map((c) => [c.kind, c]));

export function isChannelKind(v: unknown): v is ChannelKind {
  return typeof v === 'string' && BY_KIND.has(v);
}

/** The definition of a kind. */
export function channelDef(kind: ChannelKind): ChannelDefinition<ChannelKind> {
  return BY_KIND.get(kind)!;
}

/** The definition of a stored kind, which could be one this version no longer knows. */
export function findChannelDef(kind: string): ChannelDefinition<ChannelKind> | undefined {
  return BY_KIND.get(kind);
}

export type { ChannelDefinition, ConfigField, FieldMeta, OutgoingMessage, ProviderUrls, RenderContext } from './channel.ts';
