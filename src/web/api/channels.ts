import { z } from 'zod';
import { type Channel, CHANNEL_KINDS, CONFIG_FIELDS, redactedTarget, visibleConfig } from '../../domain/alerts/alerts.ts';
import { getChannel, listChannels, updateChannel } from '../../domain/alerts/alerts.service.ts';
import { ValidationError } from '../../lib/errors.ts';
import type { WebDeps } from '../deps.ts';
import { idParams, isoOrNull, isoTime } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

// Alert channels, never with secrets: webhook URLs carry tokens, and bot tokens, routing keys
// and signing secrets are credentials. They can be written, but only a redacted target is returned.

const channelSchema = z.object({
  id: z.number().int(),
  kind: z.enum(CHANNEL_KINDS),
  name: z.string(),
  is_default: z.boolean().describe('Attached to new monitors'),
  disabled: z.boolean(),
  disabled_at: isoTime.nullable(),
  disabled_reason: z.string().nullable(),
  target: z.string().nullable().describe('Where alerts go, redacted: the host of a URL, the domains of email recipients'),
});

const alertDeps = (d: WebDeps) => ({ db: d.db, clock: d.clock, policy: d.policy, delivery: d.delivery, baseUrl: d.alerts.baseUrl });


function toApi(ch: Channel): z.input<typeof channelSchema> {
  return {
    id: ch.id, kind: ch.kind, name: ch.name, is_default: ch.isDefault, disabled: ch.disabledAt !== null, disabled_at: isoOrNull(ch.disabledAt),
    disabled_reason: ch.disabledReason, target: redactedTarget(ch),
  };
}

const writeOnly = 'write-only: never returned; empty or left out keeps the current value';

/** An edit: only the fields sent change, and only those of the channel's own kind. */
const channelUpdateSchema = z
  .strictObject({
    kind: z.enum(CHANNEL_KINDS).describe('The kind cannot change: if sent, it must be the channel’s current kind'),
    name: z.string().max(200).describe('Display name (1–80 characters)'),
    is_default: z.boolean().describe('Attach to new monitors'),
    enabled: z.literal(true).describe('true enables a channel that was disabled (its receiver answered 410 Gone); channels cannot be disabled here'),
    recipients: z.string().max(2000).describe('email: addresses, separated by commas'),
    url: z.string().max(2048).describe(`webhook, slack, discord, teams, ntfy: where alerts go (${writeOnly})`),
    bot_token: z.string().max(200).describe(`telegram: bot token (${writeOnly})`),
    chat_id: z.string().max(100).describe('telegram: chat id or @channelname'),
    routing_key: z.string().max(100).describe(`pagerduty: Events API v2 integration key (${writeOnly})`),
  })
  .partial();

const ALL_CONFIG_FIELDS = new Set(Object.values(CONFIG_FIELDS).flat());

export const channelRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/alert-channels', operationId: 'listAlertChannels', tag: 'Alert channels', access: 'read', summary: 'List alert channels',
    description: 'Secrets (URLs with tokens, keys, passwords) are never returned.', response: z.object({ data: z.array(channelSchema) }),
    handler: async ({ deps, key }) => ({ data: (await listChannels(alertDeps(deps), key.accountId)).map(toApi) }),
  }),
  defineRoute({
    method: 'get', path: '/alert-channels/:id', operationId: 'getAlertChannel', tag: 'Alert channels', access: 'read', summary: 'Get an alert channel',
    params: idParams, response: channelSchema,
    handler: async ({ deps, key, params }) => toApi(await getChannel(alertDeps(deps), key.accountId, params.id)),
  }),
  defineRoute({
    method: 'patch', path: '/alert-channels/:id', operationId: 'updateAlertChannel', tag: 'Alert channels', access: 'write', summary: 'Update an alert channel',
    description:
      'Send only the fields to change. The channel keeps its id, kind, monitors, delivery log and (for webhooks) signing secret. ' +
      'Validated like the dashboard form; the plan must include the kind (402 plan_limit).',
    params: idParams, body: channelUpdateSchema, response: channelSchema, example: { name: 'On-call (EU)' },
    handler: async ({ deps, key, by, params, body }) => {
      const ad = alertDeps(deps);
      const current = await getChannel(ad, key.accountId, params.id);
      const foreign = Object.keys(body).filter((f) => ALL_CONFIG_FIELDS.has(f) && !CONFIG_FIELDS[current.kind].includes(f));
      if (foreign.length) {
        const fields = Object.fromEntries(foreign.map((f) => [f, `Not a setting of a ${current.kind} channel`]));
        throw new ValidationError(`Invalid request body: ${foreign.join(', ')} ${foreign.length === 1 ? 'is not a setting' : 'are not settings'} of a ${current.kind} channel`, fields);
      }
      const merged = { name: current.name, is_default: current.isDefault, ...visibleConfig(current), ...body };
      return toApi(await updateChannel(ad, key.accountId, params.id, merged, by));
    },
  }),
];
