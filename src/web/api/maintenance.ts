import { z } from 'zod';
import { createWindow, deleteWindow, endWindow, getWindow, listWindows, type MaintenanceWindow } from '../../domain/alerts/maintenance.service.ts';
import { formatInZone, isTimeZone } from '../../lib/timezone.ts';
import type { WebDeps } from '../deps.ts';
import { idParams, idSchema, iso, isoOrNull, isoTime, parseTime, timeInput } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

const deps_ = (d: WebDeps) => ({ db: d.db, clock: d.clock, policy: d.policy });

const occurrence = z.object({ from: isoTime, to: isoTime }).nullable();
const windowSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  type: z.enum(['once', 'recurring']),
  timezone: z.string(),
  starts_at: isoTime.nullable().describe('once: start'),
  ends_at: isoTime.nullable().describe('once: end'),
  cron: z.string().nullable().describe('recurring: when each occurrence starts'),
  duration_minutes: z.number().int().nullable().describe('recurring: length of each occurrence'),
  ended_at: isoTime.nullable().describe('When it was ended early'),
  state: z.enum(['active', 'upcoming', 'ended']),
  current: occurrence.describe('The occurrence in progress'),
  next: occurrence.describe('The next occurrence'),
  monitor_ids: z.array(z.number().int()),
});

const createSchema = z.strictObject({
  title: z.string().max(120),
  type: z.enum(['once', 'recurring']),
  timezone: z.string().max(100).optional().describe('IANA time zone (default UTC); recurring windows follow it'),
  starts_at: timeInput.optional().describe('once: start (ISO 8601 or epoch ms; minute precision)'),
  ends_at: timeInput.optional().describe('once: end'),
  cron: z.string().max(200).optional().describe('recurring: five-field cron, e.g. "0 3 * * SUN"'),
  duration_minutes: z.number().int().min(1).max(10_080).optional().describe('recurring: minutes each occurrence lasts'),
  monitor_ids: z.array(idSchema).min(1).max(1000).describe('Monitors covered (the account’s own)'),
});

function toApi(w: MaintenanceWindow): z.input<typeof windowSchema> {
  const occ = (o: { from: number; to: number } | null) => (o ? { from: iso(o.from), to: iso(o.to) } : null);
  return {
    id: w.id, title: w.title, type: w.cron ? 'recurring' : 'once', timezone: w.timezone, starts_at: isoOrNull(w.starts_at), ends_at: isoOrNull(w.ends_at),
    cron: w.cron, duration_minutes: w.duration_minutes, ended_at: isoOrNull(w.ended_at), state: w.state, current: occ(w.current), next: occ(w.next), monitor_ids: w.monitorIds,
  };
}

/** The maintenance form takes wall-clock times in the window's zone; the API takes instants. */
function toWallClock(v: string | number | undefined, tz: string): string | undefined {
  if (v === undefined || !isTimeZone(tz)) return undefined;
  return formatInZone(parseTime(v)!, tz).replace(' ', 'T');
}

export const maintenanceRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/maintenance-windows', operationId: 'listMaintenanceWindows', tag: 'Maintenance', access: 'read', summary: 'List maintenance windows',
    description: 'Newest first. During a window failures of its monitors open no incident and send no alert.',
    response: z.object({ data: z.array(windowSchema) }),
    handler: async ({ deps, key }) => ({ data: (await listWindows(deps_(deps), key.accountId)).map(toApi) }),
  }),
  defineRoute({
    method: 'post', path: '/maintenance-windows', operationId: 'createMaintenanceWindow', tag: 'Maintenance', access: 'write', summary: 'Create a maintenance window',
    description: 'One-off (starts_at, ends_at) or recurring (cron, duration_minutes). Business plan or self-hosted (402 plan_limit otherwise).',
    body: createSchema, response: windowSchema, status: 201,
    example: { title: 'DB upgrade', type: 'once', starts_at: '2026-12-01T02:00:00Z', ends_at: '2026-12-01T03:00:00Z', monitor_ids: [1] },
    handler: async ({ deps, key, by, body }) => {
      const tz = body.timezone ?? 'UTC';
      const form: Record<string, string> = { title: body.title, type: body.type, timezone: tz };
      const starts = toWallClock(body.starts_at, tz);
      const ends = toWallClock(body.ends_at, tz);
      if (starts) form.starts_at = starts;
      if (ends) form.ends_at = ends;
      if (body.cron !== undefined) form.cron = body.cron;
      if (body.duration_minutes !== undefined) form.duration_minutes = String(body.duration_minutes);
      for (const id of body.monitor_ids) form[`monitor_${id}`] = 'on';
      const id = await createWindow(deps_(deps), key.accountId, form, by);
      return toApi(await getWindow(deps_(deps), key.accountId, id));
    },
  }),
  defineRoute({
    method: 'get', path: '/maintenance-windows/:id', operationId: 'getMaintenanceWindow', tag: 'Maintenance', access: 'read', summary: 'Get a maintenance window',
    params: idParams, response: windowSchema,
    handler: async ({ deps, key, params }) => toApi(await getWindow(deps_(deps), key.accountId, params.id)),
  }),
  defineRoute({
    method: 'post', path: '/maintenance-windows/:id/end', operationId: 'endMaintenanceWindow', tag: 'Maintenance', access: 'write', summary: 'End a window early',
    description: 'Ends a one-off window for good, or a recurring window’s occurrence in progress.', params: idParams, response: windowSchema,
    handler: async ({ deps, key, by, params }) => {
      await endWindow(deps_(deps), key.accountId, params.id, by);
      return toApi(await getWindow(deps_(deps), key.accountId, params.id));
    },
  }),
  defineRoute({
    method: 'delete', path: '/maintenance-windows/:id', operationId: 'deleteMaintenanceWindow', tag: 'Maintenance', access: 'write', summary: 'Delete a maintenance window',
    params: idParams, response: null, status: 204,
    handler: async ({ deps, key, by, params }) => (await deleteWindow(deps_(deps), key.accountId, params.id, by), null),
  }),
];
