import { z } from 'zod';
import { type Channel, CHANNEL_KINDS, redactedTarget } from '../../domain/alerts/alerts.ts';
import { getChannel, listChannels } from '../../domain/alerts/alerts.service.ts';
import type { WebDeps } from '../deps.ts';
import { idParams, isoOrNull, isoTime } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

// Alert channels, read-only and without secrets: webhook URLs carry tokens, and bot tokens,
// routing keys and signing secrets are credentials. Only a redacted target is returned.

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
];
