import { z } from 'zod';
import { listResults } from '../../domain/checks/results.service.ts';
import { DNS_RECORD_TYPES, displayStatus, METHODS, type Monitor, MONITOR_TYPES } from '../../domain/monitors/monitors.ts';
import { createMonitor, deleteMonitor, getMonitor, listMonitors, requestCheck, setPaused, updateMonitor } from '../../domain/monitors/monitors.service.ts';
import { DAY } from '../../lib/clock.ts';
import { ValidationError } from '../../lib/errors.ts';
import type { WebDeps } from '../deps.ts';
import { cursorPage, cursorQuery, idParams, iso, isoTime, limitQuery, parseTime, timeQuery } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

function monitorDeps(deps: WebDeps) {
  const { db, clock, policy, config, events } = deps;
  return { db, clock, policy, events, guard: deps.delivery.guard, browserChecks: config.browserChecks, ownHost: new URL(config.baseUrl).hostname };
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const text = (max: number) => z.string().max(max);

/** Fields of a monitor; create needs name and interval_seconds, update takes any subset. */
const monitorFields = {
  name: text(100).describe('Display name'),
  type: z.enum(MONITOR_TYPES).describe('Check type (default http)'),
  url: text(2048).describe('http: the URL to check'),
  method: z.enum(METHODS).describe('http: request method (default GET)'),
  expected_status: text(200).describe('http: accepted status codes and ranges, e.g. "200-299,301" (default 200-399)'),
  keyword: text(200).nullable().describe('http: text the body must contain'),
  interval_seconds: int(1, 86_400).describe('Seconds between checks (at least the plan minimum)'),
  timeout_seconds: int(1, 60).describe('Seconds before a check fails (default 10, at most the interval)'),
  failure_threshold: int(1, 20).describe('Consecutive failures before the monitor is down (default 3)'),
  retries: int(0, 3).describe('Extra attempts before a failure counts (default 1)'),
  degraded_ms: int(1, 60_000).nullable().describe('A passing check slower than this marks the monitor degraded'),
  reminder_hours: int(1, 168).nullable().describe('Hours between "still down" reminders; null = off'),
  is_public: z.boolean().describe('Shown on the public status page (default true)'),
  host: text(253).describe('tcp, dns, tls, ping: host name or IP address'),
  port: int(1, 65_535).describe('tcp, tls: port (tls default 443)'),
  record_type: z.enum(DNS_RECORD_TYPES).describe('dns: record type (default A)'),
  resolver: text(60).describe('dns: resolver IP, empty = the system resolver'),
  expected: text(1000).describe('dns: expected values, comma-separated'),
  warn_days: text(100).describe('tls: days before expiry to warn, e.g. "30,14,7,1"'),
  count: int(1, 10).describe('ping: packets (default 3)'),
  max_loss: int(0, 100).describe('ping: highest acceptable packet loss in % (default 0)'),
  steps: text(5000).describe('browser: journey steps, one per line (goto, click, fill, expect text, expect url)'),
  cron: text(200).describe('heartbeat: expected schedule as cron (else the interval)'),
  timezone: text(100).describe('heartbeat: time zone of the cron expression (default UTC)'),
  grace_seconds: int(0, 86_400).describe('heartbeat: grace period (default 60)'),
  headers: text(4000).describe('http: extra request headers, one "Name: value" per line'),
  auth_type: z.enum(['none', 'basic', 'bearer']).describe('http: authentication'),
  auth_user: text(200).describe('http: Basic auth user'),
  auth_pass: text(500).describe('http: Basic auth password (write-only: never returned)'),
  auth_token: text(4000).describe('http: Bearer token (write-only: never returned)'),
  body: text(10_000).describe('http: request body'),
  follow_redirects: z.boolean().describe('http: follow redirects (default true)'),
  max_redirects: int(0, 20).describe('http: most redirects followed (default 10)'),
  ignore_tls: z.boolean().describe('http: accept invalid certificates (insecure, default false)'),
  keyword_absent: text(200).describe('http: text the body must not contain'),
  regex: text(500).describe('http: regular expression the body must match'),
  json_path: text(200).describe('http: JSON path to assert, e.g. $.status'),
  json_op: z.enum(['equals', 'contains']).describe('http: how json_expected is compared'),
  json_expected: text(500).describe('http: expected value at json_path'),
  header_name: text(100).describe('http: response header to assert'),
  header_value: text(500).describe('http: its expected value'),
  max_response_ms: int(1, 60_000).describe('http: fail when slower than this'),
};

export const monitorCreateSchema = z.strictObject(monitorFields).partial().required({ name: true, interval_seconds: true });
export const monitorUpdateSchema = z.strictObject(monitorFields).partial();

/** Settings that are credentials: accepted, never returned. */
const WRITE_ONLY = new Set(['auth_pass', 'auth_token']);

export const monitorSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(MONITOR_TYPES),
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
  settings: z.record(z.string(), z.string()).describe('Type-specific settings; credentials are left out and header values masked'),
  last_check: z
    .object({ at: isoTime, ok: z.boolean(), status_code: z.number().int().nullable(), response_ms: z.number().nullable(), error: z.string().nullable() })
    .nullable(),
  push_url: z.string().nullable().describe('heartbeat: the URL your job calls; only shown to write keys (it is a credential)'),
  created_at: isoTime,
  updated_at: isoTime,
});

function toApi(m: Monitor, deps: WebDeps, canWrite: boolean): z.input<typeof monitorSchema> {
  const settings = Object.fromEntries(
    Object.entries(m.settings)
      .filter(([k]) => !WRITE_ONLY.has(k))
      .map(([k, v]) => [k, k === 'headers' ? v.split('\n').map((l) => l.replace(/:.*$/, ': ***')).join('\n') : v]),
  );
  return {
    id: m.id, name: m.name, type: m.type, url: m.url, method: m.method, expected_status: m.expectedStatus, keyword: m.keyword,
    interval_seconds: m.intervalSeconds, timeout_seconds: m.timeoutMs / 1000, failure_threshold: m.failureThreshold, retries: m.retries,
    degraded_ms: m.degradedMs, reminder_hours: m.reminderHours, is_public: m.isPublic, paused: m.isPaused, status: displayStatus(m), settings,
    last_check: m.lastCheckedAt === null ? null : { at: iso(m.lastCheckedAt), ok: m.lastOk === true, status_code: m.lastStatusCode, response_ms: m.lastResponseMs, error: m.lastError },
    push_url: m.pushToken && canWrite ? `${deps.config.baseUrl}/push/${m.pushToken}` : null,
    created_at: iso(m.createdAt), updated_at: iso(m.updatedAt),
  };
}

/** The stored monitor as domain input, so an update only has to name what changes. */
function currentInput(m: Monitor): Record<string, unknown> {
  return {
    ...m.settings, type: m.type, name: m.name, url: m.url, method: m.method, expected_status: m.expectedStatus, keyword: m.keyword ?? undefined,
    interval_seconds: m.intervalSeconds, timeout_seconds: m.timeoutMs / 1000, failure_threshold: m.failureThreshold, retries: m.retries,
    degraded_ms: m.degradedMs ?? undefined, reminder_hours: m.reminderHours ?? undefined, is_public: m.isPublic,
  };
}

/** null clears a field; the domain reads a missing field as "not set". */
function dropNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

const listQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).describe('Page number, from 1'), limit: limitQuery(200, 50) });
const listSchema = z.object({ data: z.array(monitorSchema), page: z.number().int(), limit: z.number().int(), total: z.number().int() });

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

export const monitorRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/monitors', operationId: 'listMonitors', tag: 'Monitors', access: 'read', summary: 'List monitors',
    description: 'The account’s monitors by name, a page at a time.', query: listQuery, response: listSchema,
    handler: async ({ deps, key, query }) => {
      const all = await listMonitors(monitorDeps(deps), key.accountId);
      const start = (query.page - 1) * query.limit;
      return { data: all.slice(start, start + query.limit).map((m) => toApi(m, deps, key.scope === 'write')), page: query.page, limit: query.limit, total: all.length };
    },
  }),
  defineRoute({
    method: 'post', path: '/monitors', operationId: 'createMonitor', tag: 'Monitors', access: 'write', summary: 'Create a monitor',
    description: 'Validated like the dashboard form, including the plan’s limits (402 plan_limit). Channels marked "use for new monitors" are attached.',
    body: monitorCreateSchema, response: monitorSchema, status: 201, example: EXAMPLE,
    handler: async ({ deps, key, by, body }) => toApi(await createMonitor(monitorDeps(deps), key.accountId, dropNulls(body), by), deps, true),
  }),
  defineRoute({
    method: 'get', path: '/monitors/:id', operationId: 'getMonitor', tag: 'Monitors', access: 'read', summary: 'Get a monitor',
    params: idParams, response: monitorSchema,
    handler: async ({ deps, key, params }) => toApi(await getMonitor(monitorDeps(deps), key.accountId, params.id), deps, key.scope === 'write'),
  }),
  defineRoute({
    method: 'patch', path: '/monitors/:id', operationId: 'updateMonitor', tag: 'Monitors', access: 'write', summary: 'Update a monitor',
    description: 'Send only the fields to change; null clears an optional field.', params: idParams, body: monitorUpdateSchema, response: monitorSchema,
    example: { interval_seconds: 120 },
    handler: async ({ deps, key, by, params, body }) => {
      const md = monitorDeps(deps);
      const current = await getMonitor(md, key.accountId, params.id);
      const merged = dropNulls({ ...currentInput(current), ...body });
      return toApi(await updateMonitor(md, key.accountId, params.id, merged, by), deps, true);
    },
  }),
  defineRoute({
    method: 'delete', path: '/monitors/:id', operationId: 'deleteMonitor', tag: 'Monitors', access: 'write', summary: 'Delete a monitor',
    description: 'Deletes the monitor with its results and incidents.', params: idParams, response: null, status: 204,
    handler: async ({ deps, key, by, params }) => (await deleteMonitor(monitorDeps(deps), key.accountId, params.id, by), null),
  }),
  ...(['pause', 'resume'] as const).map((action) =>
    defineRoute({
      method: 'post', path: `/monitors/:id/${action}`, operationId: `${action}Monitor`, tag: 'Monitors', access: 'write',
      summary: action === 'pause' ? 'Pause a monitor' : 'Resume a monitor',
      description: action === 'pause' ? 'Stops checks; an open incident stays open.' : 'Starts checking again.',
      params: idParams, response: monitorSchema,
      handler: async ({ deps, key, by, params }) => toApi(await setPaused(monitorDeps(deps), key.accountId, params.id, action === 'pause', by), deps, true),
    }),
  ),
  defineRoute({
    method: 'post', path: '/monitors/:id/check', operationId: 'checkMonitorNow', tag: 'Monitors', access: 'write', summary: 'Check a monitor now',
    description: 'Asks the worker for an immediate check (within a couple of seconds); spaced like the dashboard button (429 when too soon).',
    params: idParams, response: monitorSchema,
    handler: async ({ deps, key, params }) => toApi(await requestCheck(monitorDeps(deps), key.accountId, params.id), deps, true),
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

