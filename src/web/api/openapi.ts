import { z } from 'zod';
import { API_RATE } from '../../domain/apikeys/apikeys.ts';
import { errorSchema } from './common.ts';
import { type ApiRoute, openApiPath } from './registry.ts';

type Json = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, without the per-schema $schema line. */
export function jsonSchema(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
}

function shapeOf(s: z.ZodType | undefined): Record<string, z.ZodType> {
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : {};
}

/** Path and query parameters of a route, from its zod objects. */
export function parametersOf(r: ApiRoute) {
  const out: Array<{ name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: Json }> = [];
  for (const [where, s] of [['path', r.params], ['query', r.query]] as const) {
    for (const [name, field] of Object.entries(shapeOf(s))) {
      const schema = jsonSchema(field, 'input');
      const description = typeof schema.description === 'string' ? schema.description : undefined;
      delete schema.description;
      out.push({ name, in: where, required: where === 'path' || !field.safeParse(undefined).success, ...(description ? { description } : {}), schema });
    }
  }
  return out;
}

export const ERROR_STATUSES: Record<number, string> = {
  400: 'Malformed JSON body',
  401: 'Missing, unknown or revoked API key',
  402: 'The account’s plan does not include this (code plan_limit)',
  403: 'The key’s scope does not allow this (code insufficient_scope)',
  404: 'Not found: an unknown id or another account’s resource',
  409: 'Conflict with the current state',
  422: 'Invalid fields (code validation_failed; details lists them)',
  429: 'Rate limited (see Retry-After)',
};

export function errorStatusesOf(r: ApiRoute): number[] {
  if (r.access === 'public') return [429];
  const s = [401, 402, 429];
  if (r.access === 'write') s.push(403);
  if (r.params) s.push(404);
  if (r.conflict) s.push(409);
  if (r.body) s.push(400, 422);
  else if (r.query) s.push(422);
  return s.sort();
}

const RATE_HEADERS = {
  'RateLimit-Limit': { description: 'Requests allowed in the current minute', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current minute', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

export const API_DESCRIPTION = [
  'Manage monitors, maintenance windows, status page components, incident posts and alert channel settings; read incidents and status pages of one account.',
  '',
  'Authenticate with an API key (Settings → API keys): `Authorization: Bearer sp_live_…`. A `read` key may call GET operations;',
  'a `write` key may call everything. Keys belong to an account and see only its resources: another account’s id answers 404.',
  '',
  `Rate limits per key: ${API_RATE.business} requests/minute on the Business plan, ${API_RATE.selfHosted} on a self-hosted instance;`,
  `${API_RATE.anonymousPerIp} requests/minute per IP address for requests without a valid key. Every answer carries`,
  '`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a 429 also carries `Retry-After` (seconds).',
  '',
  'Errors are JSON: `{"error":{"code":"…","message":"…","details":{…}}}`. Times are ISO 8601 UTC in answers;',
  'inputs accept ISO 8601 or epoch milliseconds.',
].join('\n');

/** The OpenAPI 3.1 document of the given routes; `serverUrl` is BASE_URL + /api/v1. */
export function buildOpenApi(routes: readonly ApiRoute[], serverUrl: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const responses: Json = {};
    const ok = r.status ?? 200;
    responses[String(ok)] = r.response
      ? { description: ok === 201 ? 'Created' : 'OK', headers: RATE_HEADERS, content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } }
      : { description: 'No content', headers: RATE_HEADERS };
    for (const s of errorStatusesOf(r)) {
      responses[String(s)] = { description: ERROR_STATUSES[s], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const params = parametersOf(r);
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      'x-scope': r.access,
      security: r.access === 'public' ? [] : [{ bearerAuth: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'StatusPing API', version: '1.0.0', description: API_DESCRIPTION },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from Settings → API keys (sp_live_…)' } },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
  };
}
