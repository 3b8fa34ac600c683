import { z } from 'zod';
import { CHECK_TYPES } from '../../domain/checks/probes/index.ts';
import type { CheckTypeRegistry } from '../../domain/checks/probes/registry.ts';
import { listResults } from '../../domain/checks/results.service.ts';
import { monitorInputJsonSchema } from '../../domain/monitors/monitor-schema.ts';
import { visibleSettings } from '../../domain/monitors/monitor-secrets.ts';
import { displayStatus, type Monitor } from '../../domain/monitors/monitors.ts';
import { createMonitor, deleteMonitor, getMonitor, listMonitors, patchMonitor, requestCheck, setPaused } from '../../domain/monitors/monitors.service.ts';
import { DAY } from '../../lib/clock.ts';
import { ValidationError } from '../../lib/errors.ts';
import type { WebDeps } from '../deps.ts';
import { cursorPage, cursorQuery, idParams, iso, isoTime, limitQuery, parseTime, timeQuery } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

function monitorDeps(deps: WebDeps, types: CheckTypeRegistry) {
  const { db, clock, policy, config, events } = deps;
  return { db, clock, policy, events, guard: deps.delivery.guard, browserChecks: config.browserChecks, ownHost: new URL(config.baseUrl).hostname, types };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A request body of monitor fields. The domain validates it (parseMonitorInput, strict: the
 * type's own fields only) so the API and the forms give the same messages; the document is
 * the domain's JSON Schema of the fields.
 */
function monitorBody(types: CheckTypeRegistry, mode: 'create' | 'patch') {
  return z.custom<Record<string, unknown>>(isObject).meta(monitorInputJsonSchema(types, mode));
}

/** What the API answers for a monitor; its `type` values come from the registry. */
function monitorSchemaOf(types: CheckTypeRegistry) {
  return z.object({
    id: z.number().int(),
    name: z.string(),
    type: z.enum(types.names),
    url: z.string().describe('The target (a readable pseudo-URL such as tcp://host:port for non-HTTP types)'),
    method: z.string(),
    expected_status: z.string(),
    keyword: z.string().nullable(),
    interval_seconds: z.number().int(),
    timeout_seconds: z.number(),
    failure_threshold: z.number().int(),
    retries: z.number().int(),
    degraded_ms: z.number().int().nullable(),
    reminder_hours: z.number().int().nullable(),
    is_public: z.boolean(),
    paused: z.boolean(),
    status: z.enum(['pending', 'up', 'degraded', 'down', 'paused']),
    settings: z
      .record(z.string(), z.unknown())
      .describe('The type’s settings, typed as in the request fields; credentials are left out, and secret-looking headers come without their values ("X-Api-Key:")'),
    last_check: z
      .object({ at: isoTime, ok: z.boolean(), status_code: z.number().int().nullable(), response_ms: z.number().nullable(), error: z.string().nullable() })
      .nullable(),
    push_url: z.string().nullable().describe('heartbeat: the URL your job calls; only shown to write keys (it is a credential)'),
    created_at: isoTime,
    updated_at: isoTime,
  });
}
type ApiMonitor = z.input<ReturnType<typeof monitorSchemaOf>>;

function toApi(m: Monitor, deps: WebDeps, canWrite: boolean, types: CheckTypeRegistry): ApiMonitor {
  return {
    id: m.id, name: m.name, type: m.type, url: m.url, method: m.method, expected_status: m.expectedStatus, keyword: m.keyword,
    interval_seconds: m.intervalSeconds, timeout_seconds: m.timeoutMs / 1000, failure_threshold: m.failureThreshold, retries: m.retries,
    // The same write-only rule as the dashboard form.
    degraded_ms: m.degradedMs, reminder_hours: m.reminderHours, is_public: m.isPublic, paused: m.isPaused, status: displayStatus(m), settings: visibleSettings(types.get(m.type), m.settings),
    last_check: m.lastCheckedAt === null ? null : { at: iso(m.lastCheckedAt), ok: m.lastOk === true, status_code: m.lastStatusCode, response_ms: m.lastResponseMs, error: m.lastError },
    push_url: m.pushToken && canWrite ? `${deps.config.baseUrl}/push/${m.pushToken}` : null,
    created_at: iso(m.createdAt), updated_at: iso(m.updatedAt),
  };
}

/** null means "not set" on create: the default applies. */
function dropNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

const listQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).describe('Page number, from 1'), limit: limitQuery(200, 50) });

const resultsQuery = z.object({
  from: timeQuery.optional().describe('Start of the range, inclusive (ISO 8601 or epoch ms; default 24 h before `to`)'),
  to: timeQuery.optional().describe('End of the range, exclusive (default now)'),
  cursor: cursorQuery,
  limit: limitQuery(1000, 100),
});
const resultSchema = z.object({
  checked_at: isoTime, ok: z.boolean(), status_code: z.number().int().nullable(), response_ms: z.number().nullable(), error: z.string().nullable(),
  attempts: z.number().int(), region: z.string(),
});

const EXAMPLE = { name: 'API health', type: 'http', url: 'https://api.example.com/health', interval_seconds: 60 };

/** The monitor operations for a set of check types: schemas, documentation and validation follow the registry. */
export function monitorRoutesFor(types: CheckTypeRegistry): ApiRoute[] {
  const monitorSchema = monitorSchemaOf(types);
  const listSchema = z.object({ data: z.array(monitorSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int() });
  const md = (deps: WebDeps) => monitorDeps(deps, types);
  const api = (m: Monitor, deps: WebDeps, canWrite = true) => toApi(m, deps, canWrite, types);
  return [
    defineRoute({
      method: 'get', path: '/monitors', operationId: 'listMonitors', tag: 'Monitors', access: 'read', summary: 'List monitors',
      description: 'The account’s monitors by name, a page at a time.', query: listQuery, response: listSchema,
      handler: async ({ deps, key, query }) => {
        const all = await listMonitors(md(deps), key.accountId);
        const start = (query.page - 1) * query.limit;
        return { data: all.slice(start, start + query.limit).map((m) => api(m, deps, key.scope === 'write')), page: query.page, limit: query.limit, total: all.length };
      },
    }),
    defineRoute({
      method: 'post', path: '/monitors', operationId: 'createMonitor', tag: 'Monitors', access: 'write', summary: 'Create a monitor',
      description: 'Validated like the dashboard form, including the plan’s limits (402 plan_limit); a field the type does not have is refused. Channels marked "use for new monitors" are attached.',
      body: monitorBody(types, 'create'), response: monitorSchema, status: 201, example: EXAMPLE,
      handler: async ({ deps, key, by, body }) => api(await createMonitor(md(deps), key.accountId, dropNulls(body), by, { strict: true }), deps),
    }),
    defineRoute({
      method: 'get', path: '/monitors/:id', operationId: 'getMonitor', tag: 'Monitors', access: 'read', summary: 'Get a monitor',
      params: idParams, response: monitorSchema,
      handler: async ({ deps, key, params }) => api(await getMonitor(md(deps), key.accountId, params.id), deps, key.scope === 'write'),
    }),
    defineRoute({
      method: 'patch', path: '/monitors/:id', operationId: 'updateMonitor', tag: 'Monitors', access: 'write', summary: 'Update a monitor',
      description: 'Send only the fields to change; null clears an optional field (its default applies). The type cannot change.',
      params: idParams, body: monitorBody(types, 'patch'), response: monitorSchema, example: { interval_seconds: 120 },
      handler: async ({ deps, key, by, params, body }) => api(await patchMonitor(md(deps), key.accountId, params.id, body, by), deps),
    }),
    defineRoute({
      method: 'delete', path: '/monitors/:id', operationId: 'deleteMonitor', tag: 'Monitors', access: 'write', summary: 'Delete a monitor',
      description: 'Deletes the monitor with its results and incidents.', params: idParams, response: null, status: 204,
      handler: async ({ deps, key, by, params }) => (await deleteMonitor(md(deps), key.accountId, params.id, by), null),
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      defineRoute({
        method: 'post', path: `/monitors/:id/${action}`, operationId: `${action}Monitor`, tag: 'Monitors', access: 'write',
        summary: action === 'pause' ? 'Pause a monitor' : 'Resume a monitor',
        description: action === 'pause' ? 'Stops checks; an open incident stays open.' : 'Starts checking again.',
        params: idParams, response: monitorSchema,
        handler: async ({ deps, key, by, params }) => api(await setPaused(md(deps), key.accountId, params.id, action === 'pause', by), deps),
      }),
    ),
    defineRoute({
      method: 'post', path: '/monitors/:id/check', operationId: 'checkMonitorNow', tag: 'Monitors', access: 'write', summary: 'Check a monitor now',
      description: 'Asks the worker for an immediate check (within a couple of seconds); spaced like the dashboard button (429 when too soon).',
      params: idParams, response: monitorSchema,
      handler: async ({ deps, key, params }) => api(await requestCheck(md(deps), key.accountId, params.id), deps),
    }),
    defineRoute({
      method: 'get', path: '/monitors/:id/results', operationId: 'listMonitorResults', tag: 'Monitors', access: 'read', summary: 'List check results',
      description: 'Raw check results in a time range, newest first. Raw results are kept for the plan’s retention; older history lives in rollups.',
      params: idParams, query: resultsQuery, response: cursorPage(resultSchema),
      handler: async ({ deps, key, params, query }) => {
        const to = query.to ? parseTime(query.to)! : deps.clock.now() + 1;
        const from = query.from ? parseTime(query.from)! : to - DAY;
        if (from >= to) throw new ValidationError('Invalid query parameters: `from` must be before `to`', { from: '`from` must be before `to`' });
        const page = await listResults(deps.db, key.accountId, params.id, { from, to, before: query.cursor ? Number(query.cursor) : undefined, limit: query.limit });
        return {
          data: page.results.map((r) => ({ checked_at: iso(r.checkedAt), ok: r.ok, status_code: r.statusCode, response_ms: r.responseMs, error: r.error, attempts: r.attempts, region: r.region })),
          next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
        };
      },
    }),
  ];
}

export const monitorRoutes: ApiRoute[] = monitorRoutesFor(CHECK_TYPES);
