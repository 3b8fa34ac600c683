import { z } from 'zod';
import { addManualComponent, addMonitorComponent, MANUAL_STATUSES, patchComponent, removeComponent } from '../../domain/statuspages/components.service.ts';
import { getPageOverview, listPageOverviews, type PageComponentView, type PageOverview } from '../../domain/statuspages/page-read.service.ts';
import { NotFoundError } from '../../lib/errors.ts';
import type { WebDeps } from '../deps.ts';
import { idParams, idSchema, iso, isoTime } from './common.ts';
import { type ApiRoute, defineRoute } from './registry.ts';

// Status pages and their components. Incident and maintenance posts of a page are in page-posts.ts.

const componentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  group_id: z.number().int().nullable(),
  monitor_id: z.number().int().nullable().describe('null for a component whose status is set by hand'),
  status: z.string().describe('The monitor’s state (up, degraded, down, pending, paused) or the manual status'),
  position: z.number().int(),
});

const pageSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  url: z.string().describe('The public page'),
  access: z.enum(['public', 'password', 'members']).describe('Who may see the page'),
  custom_domain: z.string().nullable().describe('The claimed host name; the page answers on it only once verified'),
  custom_domain_status: z.enum(['verified', 'pending']).nullable().describe('null without a custom domain; pending until the TXT record proves the domain'),
  custom_domain_token: z
    .string()
    .nullable()
    .describe('Pending only: publish a TXT record at _statusping.<custom_domain> with the value statusping-verify=<token>'),
  created_at: isoTime,
  groups: z.array(z.object({ id: z.number().int(), name: z.string(), position: z.number().int() })),
  components: z.array(componentSchema),
});

const toComponent = (c: PageComponentView): z.input<typeof componentSchema> => ({
  id: c.id, name: c.name, description: c.description, group_id: c.groupId, monitor_id: c.monitorId, status: c.status, position: c.position,
});

function toApi(p: PageOverview, deps: WebDeps): z.input<typeof pageSchema> {
  return {
    id: p.id, slug: p.slug, title: p.title, description: p.description, url: p.customDomainStatus === 'verified' ? `https://${p.customDomain}/` : `${deps.config.baseUrl}/s/${p.slug}`,
    access: p.access as 'public', custom_domain: p.customDomain, custom_domain_status: p.customDomainStatus, custom_domain_token: p.customDomainToken, created_at: iso(p.createdAt), groups: p.groups,
    components: p.components.map(toComponent),
  };
}

const componentDeps = (d: WebDeps) => ({ db: d.db, clock: d.clock });
const componentParams = z.object({ id: idSchema.describe('The status page id'), componentId: idSchema.describe('The component id') });

async function componentOf(deps: WebDeps, accountId: number, pageId: number, componentId: number) {
  const c = (await getPageOverview(deps.db, accountId, pageId)).components.find((x) => x.id === componentId);
  if (!c) throw new NotFoundError('Component');
  return toComponent(c);
}

const createComponentBody = z
  .strictObject({
    monitor_id: idSchema.optional().describe('Show this monitor (its state is the component’s status); leave out for a manual component'),
    name: z.string().max(80).optional().describe('Manual components: required'),
    description: z.string().max(300).optional().describe('Manual components'),
    status: z.enum(MANUAL_STATUSES).optional().describe('Manual components: the status set by hand (default operational)'),
    group_id: idSchema.nullable().optional().describe('A group of this page'),
  })
  .superRefine((v, ctx) => {
    if (v.monitor_id === undefined) return;
    // A monitor component is named after its monitor until renamed (PATCH), and its status is the monitor's.
    for (const k of ['name', 'description'] as const) if (v[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'Set it with PATCH after adding a monitor component' });
    if (v.status !== undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: 'A monitor component takes its status from its monitor' });
  });

const patchComponentBody = z.strictObject({
  name: z.string().max(80).nullable().optional().describe('Display name; null or empty shows the monitor’s name (monitor components only)'),
  description: z.string().max(300).optional(),
  group_id: idSchema.nullable().optional().describe('A group of this page; null: no group'),
  status: z.enum(MANUAL_STATUSES).optional().describe('Manual components only (409 for a monitor component)'),
});

const componentRoutes: ApiRoute[] = [
  defineRoute({
    method: 'post', path: '/pages/:id/components', operationId: 'createPageComponent', tag: 'Status pages', access: 'write', summary: 'Add a component',
    description: 'A monitor component (monitor_id) or a manual one (name, status). 404 when the monitor or group is not the account’s; 409 when the monitor is already on the page.',
    params: idParams, body: createComponentBody, response: componentSchema, status: 201, conflict: true, example: { name: 'Payments', status: 'operational' },
    handler: async ({ deps, key, by, params, body }) => {
      const id = body.monitor_id === undefined
        ? await addManualComponent(componentDeps(deps), key.accountId, params.id, { name: body.name ?? '', description: body.description, status: body.status ?? 'operational', group_id: body.group_id }, by)
        : await addMonitorComponent(componentDeps(deps), key.accountId, params.id, { monitor_id: body.monitor_id, group_id: body.group_id }, by);
      return componentOf(deps, key.accountId, params.id, id);
    },
  }),
  defineRoute({
    method: 'patch', path: '/pages/:id/components/:componentId', operationId: 'updatePageComponent', tag: 'Status pages', access: 'write', summary: 'Update a component',
    description: 'Send only the fields to change.', params: componentParams, body: patchComponentBody, response: componentSchema, conflict: true,
    example: { status: 'partial_outage' },
    handler: async ({ deps, key, by, params, body }) => {
      await patchComponent(componentDeps(deps), key.accountId, params.id, params.componentId, { name: body.name, description: body.description, groupId: body.group_id, status: body.status }, by);
      return componentOf(deps, key.accountId, params.id, params.componentId);
    },
  }),
  defineRoute({
    method: 'delete', path: '/pages/:id/components/:componentId', operationId: 'deletePageComponent', tag: 'Status pages', access: 'write', summary: 'Remove a component',
    description: 'Takes it off the page (a monitor stays a monitor).', params: componentParams, response: null, status: 204,
    handler: async ({ deps, key, by, params }) => (await removeComponent(componentDeps(deps), key.accountId, params.id, params.componentId, by), null),
  }),
];

export const pageRoutes: ApiRoute[] = [
  defineRoute({
    method: 'get', path: '/pages', operationId: 'listPages', tag: 'Status pages', access: 'read', summary: 'List status pages',
    description: 'The account’s status pages with their groups and components.', response: z.object({ data: z.array(pageSchema) }),
    handler: async ({ deps, key }) => ({ data: (await listPageOverviews(deps.db, key.accountId)).map((p) => toApi(p, deps)) }),
  }),
  defineRoute({
    method: 'get', path: '/pages/:id', operationId: 'getPage', tag: 'Status pages', access: 'read', summary: 'Get a status page',
    params: idParams, response: pageSchema,
    handler: async ({ deps, key, params }) => toApi(await getPageOverview(deps.db, key.accountId, params.id), deps),
  }),
  ...componentRoutes,
];
