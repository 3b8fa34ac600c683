import { z } from 'zod';
import { getIncident, listIncidents, type MonitorIncident } from '../../domain/incidents/incidents.service.ts';
import { cursorPage, cursorQuery, idParams, idSchema, iso, isoOrNull, isoTime, limitQuery } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

// Monitor incidents: opened when a monitor goes down, resolved when it recovers. Incident
// posts written on status pages are a different resource (/pages/{id}/incidents).

const incidentSchema = z.object({
  id: z.number().int(),
  monitor_id: z.number().int(),
  monitor_name: z.string(),
  state: z.enum(['open', 'resolved']),
  cause: z.string(),
  started_at: isoTime,
  resolved_at: isoTime.nullable(),
  duration_seconds: z.number().int().nullable().describe('Resolved incidents only'),
});

function toApi(i: MonitorIncident): z.input<typeof incidentSchema> {
  return {
    id: i.id, monitor_id: i.monitorId, monitor_name: i.monitorName, state: i.resolvedAt === null ? 'open' : 'resolved', cause: i.cause,
    started_at: iso(i.startedAt), resolved_at: isoOrNull(i.resolvedAt), duration_seconds: i.resolvedAt === null ? null : Math.round((i.resolvedAt - i.startedAt) / 1000),
  };
}

const listQuery = z.object({
  state: z.enum(['open', 'resolved']).optional().describe('Only open or only resolved incidents'),
  monitor_id: idSchema.optional().describe('Only this monitor’s incidents'),
  cursor: cursorQuery,
  limit: limitQuery(200, 50),
});

export const incidentRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/incidents', operationId: 'listIncidents', tag: 'Incidents', access: 'read', summary: 'List monitor incidents',
    description: 'Newest first.', query: listQuery, response: cursorPage(incidentSchema),
    handler: async ({ deps, key, query }) => {
      const page = await listIncidents(deps.db, key.accountId, { state: query.state, monitorId: query.monitor_id, beforeId: query.cursor ? Number(query.cursor) : undefined, limit: query.limit });
      return { data: page.incidents.map(toApi), next_cursor: page.nextCursor === null ? null : String(page.nextCursor) };
    },
  }),
  defineRoute({
    method: 'get', path: '/incidents/:id', operationId: 'getIncident', tag: 'Incidents', access: 'read', summary: 'Get a monitor incident',
    params: idParams, response: incidentSchema,
    handler: async ({ deps, key, params }) => toApi(await getIncident(deps.db, key.accountId, params.id)),
  }),
];
