import { z } from 'zod';
import { ALL_CONFIG_FIELDS, type Channel, CHANNEL_KINDS, CHANNELS, channelDef, channelName, redactedTarget, visibleConfig } from '../../domain/alerts/alerts.ts';
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

/** JSON Schema constraints worth documenting, read from the schema the service validates with. */
function constraintsOf(schema: z.ZodType, secret: boolean): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  // A blank credential keeps the stored one, so its length and pattern apply only to a new value.
  const keys = secret ? ['maxLength', 'enum'] : ['minLength', 'maxLength', 'pattern', 'enum'];
  return Object.fromEntries(keys.filter((k) => js[k] !== undefined).map((k) => [k, js[k]]));
}

/**
 * A string the route accepts as is, documented with the constraints the service enforces:
 * the service validates name and settings together, so a bad name and a bad URL are
 * reported in one answer, as the form reports them.
 */
function documented(description: string, constraints: Record<string, unknown>) {
  return z.string().meta({ description, ...constraints });
}

/** Every setting of every kind, once per name, described from the channel definitions. */
function configFieldsDoc(): Record<string, z.ZodType> {
  const byName = new Map<string, Array<{ kind: string; label: string; help?: string; secret: boolean; constraints: Record<string, unknown> }>>();
  for (const def of CHANNELS) {
    for (const f of def.fields) {
      const secret = def.secrets.includes(f.name);
      const list = byName.get(f.name) ?? [];
      list.push({ kind: def.kind, label: f.meta.label, help: f.meta.help, secret, constraints: constraintsOf(f.schema, secret) });
      byName.set(f.name, list);
    }
  }
  const out: Record<string, z.ZodType> = {};
  for (const [name, uses] of byName) {
    const same = uses.every((u) => JSON.stringify(u.constraints) === JSON.stringify(uses[0]!.constraints));
    const what = uses.length === 1 ? `${uses[0]!.label}${uses[0]!.help ? `. ${uses[0]!.help}` : ''}` : uses[0]!.label;
    const kinds = same ? uses.map((u) => u.kind).join(', ') : uses.map((u) => `${u.kind} (${describeConstraints(u.constraints)})`).join(', ');
    const secret = uses.some((u) => u.secret) ? ` (${writeOnly})` : '';
    out[name] = documented(`${kinds}: ${what}${secret}`, same ? uses[0]!.constraints : {});
  }
  return out;
}

function describeConstraints(c: Record<string, unknown>): string {
  if (Array.isArray(c.enum)) return `one of ${c.enum.join(', ')}`;
  if (typeof c.pattern === 'string') return `matching ${c.pattern}`;
  return 'text';
}

/** An edit: only the fields sent change, and only those of the channel's own kind. */
const channelUpdateSchema = z
  .strictObject({
    kind: z.enum(CHANNEL_KINDS).describe('The kind cannot change: if sent, it must be the channel’s current kind'),
    name: documented('Display name', constraintsOf(channelName, false)),
    is_default: z.boolean().describe('Attach to new monitors'),
    enabled: z.literal(true).describe('true enables a channel that was disabled (its receiver answered 410 Gone); channels cannot be disabled here'),
    ...configFieldsDoc(),
  })
  .partial();

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
      const own = new Set(channelDef(current.kind).fields.map((f) => f.name));
      const foreign = Object.keys(body).filter((f) => ALL_CONFIG_FIELDS.has(f) && !own.has(f));
      if (foreign.length) {
        const aKind = `${/^[aeiou]/.test(current.kind) ? 'an' : 'a'} ${current.kind} channel`;
        const fields = Object.fromEntries(foreign.map((f) => [f, `Not a setting of ${aKind}`]));
        throw new ValidationError(`Invalid request body: ${foreign.join(', ')} ${foreign.length === 1 ? 'is not a setting' : 'are not settings'} of ${aKind}`, fields);
      }
      const merged = { name: current.name, is_default: current.isDefault, ...visibleConfig(current), ...body };
      return toApi(await updateChannel(ad, key.accountId, params.id, merged, by));
    },
  }),
];
