import { z } from 'zod';
import { completeMaintenance, scheduleMaintenance } from '../../domain/statuspages/posts.maintenance.ts';
import {
  discardDraft, getLinkedPost, type LinkedPost, listPostsPage, openIncident, postUpdate, publishPost, RESOLVED_MESSAGE, resolveIncident, savePostmortem,
} from '../../domain/statuspages/posts.service.ts';
import { IMPACTS, INCIDENT_STATES, MAINTENANCE_STATES } from '../../domain/statuspages/posts.ts';
import type { WebDeps } from '../deps.ts';
import { cursorPage, cursorQuery, idSchema, iso, isoOrNull, isoTime, limitQuery, parseTime, timeInput } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

// Incident and maintenance posts of a status page: what visitors and subscribers read.
// Handlers only translate between JSON and the verbs the dashboard uses too, so
// subscribers are told, and the public page changes, exactly as from the dashboard.

const postDeps = (d: WebDeps) => ({ db: d.db, clock: d.clock, baseUrl: d.config.baseUrl });

const pageParams = z.object({ id: idSchema.describe('The status page id') });
const postParams = z.object({ id: idSchema.describe('The status page id'), incidentId: idSchema.describe('The incident or maintenance post id') });

const STATES = [...INCIDENT_STATES, ...MAINTENANCE_STATES] as const;

const postSchema = z.object({
  id: z.number().int(),
  page_id: z.number().int(),
  kind: z.enum(['incident', 'maintenance']),
  title: z.string(),
  state: z.enum(STATES).describe('Incidents: investigating, identified, monitoring, resolved. Maintenance (follows the clock): scheduled, in_progress, completed'),
  status: z.enum(['draft', 'published']).describe('Drafts are seen only in the dashboard and the API'),
  url: z.string().nullable().describe('The public page of the post; null while a draft'),
  published_at: isoTime.nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  resolved_at: isoTime.nullable().describe('When it was resolved or completed'),
  scheduled_start: isoTime.nullable().describe('Maintenance: when it starts'),
  scheduled_end: isoTime.nullable().describe('Maintenance: when it ends'),
  postmortem: z.string().nullable().describe('Markdown'),
  monitor_incident_id: z.number().int().nullable().describe('The monitor incident that prepared this post, if any'),
  components: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    impact: z.enum([...IMPACTS, 'maintenance']),
    private: z.boolean().describe('Shows a private monitor: listed here, left out of public pages, feeds and notices'),
  })),
  updates: z.array(z.object({ id: z.number().int(), state: z.string(), message: z.string().describe('Markdown'), created_at: isoTime })).describe('Oldest first'),
});

function toApi(p: LinkedPost): z.input<typeof postSchema> {
  return {
    id: p.id, page_id: p.pageId, kind: p.kind, title: p.title, state: p.state as (typeof STATES)[number], status: p.publishedAt === null ? 'draft' : 'published', url: p.url,
    published_at: isoOrNull(p.publishedAt), created_at: iso(p.createdAt), updated_at: iso(p.updatedAt), resolved_at: isoOrNull(p.resolvedAt),
    scheduled_start: isoOrNull(p.scheduledStart), scheduled_end: isoOrNull(p.scheduledEnd), postmortem: p.postmortem, monitor_incident_id: p.incidentId,
    components: p.components.map((c) => ({ id: c.id, name: c.name, impact: c.impact, private: c.hidden })),
    updates: p.updates.map((u) => ({ id: u.id, state: u.state, message: u.body, created_at: iso(u.createdAt) })),
  };
}

const listQuery = z.object({
  kind: z.enum(['incident', 'maintenance']).optional().describe('Only incidents or only maintenance'),
  state: z.enum(STATES).optional().describe('Only posts in this state'),
  status: z.enum(['draft', 'published']).optional().describe('Only drafts or only published posts'),
  cursor: cursorQuery,
  limit: limitQuery(100, 20),
});

const message = z.string().max(20_000).describe('Markdown (a safe subset is rendered)');
const createIncidentBody = z.strictObject({
  title: z.string().max(200),
  state: z.enum(INCIDENT_STATES).default('investigating').describe('Default investigating'),
  message,
  components: z.array(z.strictObject({ id: idSchema.describe('A component of this page'), impact: z.enum(IMPACTS) })).max(500).default([]).describe('Affected components and how badly'),
  publish: z.boolean().default(false).describe('true: public at once and subscribers are told; false (default): a draft'),
});
const updateBody = z.strictObject({
  state: z.enum(INCIDENT_STATES).optional().describe('Required for incidents (resolved resolves it; another state reopens it); ignored for maintenance'),
  message,
});
const createMaintenanceBody = z.strictObject({
  title: z.string().max(200),
  message,
  starts_at: timeInput.describe('ISO 8601 or epoch ms'),
  ends_at: timeInput.describe('ISO 8601 or epoch ms; after starts_at'),
  components: z.array(idSchema).min(1).max(500).describe('Ids of the page’s components under maintenance'),
  publish: z.boolean().default(true).describe('true (default): announced at once and subscribers are told; false: a draft'),
});

const get = (deps: WebDeps, accountId: number, p: { id: number; incidentId: number }) => getLinkedPost(postDeps(deps), accountId, p.id, p.incidentId);
const TAG = 'Status page incidents';

export const pagePostRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/pages/:id/incidents', operationId: 'listPagePosts', tag: TAG, access: 'read', summary: 'List incident and maintenance posts',
    description: 'Drafts and published posts of one status page, newest first.', params: pageParams, query: listQuery, response: cursorPage(postSchema),
    handler: async ({ deps, key, params, query }) => {
      const page = await listPostsPage(postDeps(deps), key.accountId, params.id, { kind: query.kind, state: query.state, status: query.status, beforeId: query.cursor ? Number(query.cursor) : undefined, limit: query.limit });
      return { data: page.posts.map(toApi), next_cursor: page.nextCursor === null ? null : String(page.nextCursor) };
    },
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/incidents', operationId: 'createPageIncident', tag: TAG, access: 'write', summary: 'Create an incident post',
    description: 'With its first update. Published at once (subscribers are told) or kept as a draft. 422 when a component is not the page’s.',
    params: pageParams, body: createIncidentBody, response: postSchema, status: 201,
    example: { title: 'Slow checkout', state: 'investigating', message: 'We are looking into slow payments.', components: [{ id: 1, impact: 'partial_outage' }], publish: true },
    handler: async ({ deps, key, by, params, body }) => {
      const id = await openIncident(postDeps(deps), key.accountId, params.id, { ...body, publish: body.publish ? 'now' : 'draft' }, by);
      return toApi(await get(deps, key.accountId, { id: params.id, incidentId: id }));
    },
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/maintenance', operationId: 'createPageMaintenance', tag: TAG, access: 'write', summary: 'Schedule a maintenance post',
    description: 'Shown as scheduled, in progress between its start and end, then completed. Subscribers are told when it is announced, starts and completes.',
    params: pageParams, body: createMaintenanceBody, response: postSchema, status: 201,
    example: { title: 'Database upgrade', message: 'Checkout may be slow for a few minutes.', starts_at: '2026-12-01T02:00:00Z', ends_at: '2026-12-01T03:00:00Z', components: [1] },
    handler: async ({ deps, key, by, params, body }) => {
      const input = { title: body.title, message: body.message, start: parseTime(body.starts_at)!, end: parseTime(body.ends_at)!, componentIds: body.components, publish: body.publish ? 'now' as const : 'draft' as const };
      return toApi(await get(deps, key.accountId, { id: params.id, incidentId: await scheduleMaintenance(postDeps(deps), key.accountId, params.id, input, by) }));
    },
  }),
  defineRoute({
    method: 'get', path: '/pages/:id/incidents/:incidentId', operationId: 'getPagePost', tag: TAG, access: 'read', summary: 'Get an incident or maintenance post',
    description: 'With its components, their impact, and every update.', params: postParams, response: postSchema,
    handler: async ({ deps, key, params }) => toApi(await get(deps, key.accountId, params)),
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/incidents/:incidentId/updates', operationId: 'addPagePostUpdate', tag: TAG, access: 'write', summary: 'Post an update',
    description: 'The update’s state becomes the incident’s: resolved resolves it, and any other state on a resolved incident reopens it. Subscribers are told when the post is published.',
    params: postParams, body: updateBody, response: postSchema, status: 201, example: { state: 'identified', message: 'A faulty deploy; rolling back.' },
    handler: async ({ deps, key, by, params, body }) => (await postUpdate(postDeps(deps), key.accountId, params.id, params.incidentId, body, by), toApi(await get(deps, key.accountId, params))),
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/incidents/:incidentId/publish', operationId: 'publishPagePost', tag: TAG, access: 'write', summary: 'Publish a draft',
    description: 'Subscribers hear its latest update. Publishing a published post changes nothing.', params: postParams, response: postSchema,
    handler: async ({ deps, key, by, params }) => (await publishPost(postDeps(deps), key.accountId, params.id, params.incidentId, by), toApi(await get(deps, key.accountId, params))),
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/incidents/:incidentId/resolve', operationId: 'resolvePageIncident', tag: TAG, access: 'write', summary: 'Resolve an incident',
    description: `Posts a resolved update (default message: "${RESOLVED_MESSAGE}"). 409 when already resolved or a maintenance post.`,
    params: postParams, body: z.strictObject({ message: message.optional() }), response: postSchema, conflict: true, example: { message: 'Fixed by rolling back.' },
    handler: async ({ deps, key, by, params, body }) => (await resolveIncident(postDeps(deps), key.accountId, params.id, params.incidentId, body.message, by), toApi(await get(deps, key.accountId, params))),
  }),
  defineRoute({
    method: 'post', path: '/pages/:id/incidents/:incidentId/complete', operationId: 'completePageMaintenance', tag: TAG, access: 'write', summary: 'Complete a maintenance early',
    description: 'Posts a completed update and tells subscribers. 404 for an incident post; 409 when already completed.', params: postParams, response: postSchema, conflict: true,
    handler: async ({ deps, key, by, params }) => (await completeMaintenance(postDeps(deps), key.accountId, params.id, params.incidentId, by), toApi(await get(deps, key.accountId, params))),
  }),
  defineRoute({
    method: 'put', path: '/pages/:id/incidents/:incidentId/postmortem', operationId: 'putPagePostmortem', tag: TAG, access: 'write', summary: 'Write the post-mortem',
    description: 'Markdown, once the incident is resolved (422 before). Replaces an earlier post-mortem.',
    params: postParams, body: z.strictObject({ postmortem: z.string().max(50_000).describe('Markdown') }), response: postSchema, example: { postmortem: '## Cause\nA faulty deploy.' },
    handler: async ({ deps, key, by, params, body }) => (await savePostmortem(postDeps(deps), key.accountId, params.id, params.incidentId, body, by), toApi(await get(deps, key.accountId, params))),
  }),
  defineRoute({
    method: 'delete', path: '/pages/:id/incidents/:incidentId', operationId: 'deletePageDraft', tag: TAG, access: 'write', summary: 'Delete a draft',
    description: 'Only drafts: a published post stays, its history is public (409).', params: postParams, response: null, status: 204, conflict: true,
    handler: async ({ deps, key, by, params }) => (await discardDraft(postDeps(deps), key.accountId, params.id, params.incidentId, by), null),
  }),
];
