import { type Context, Hono } from 'hono';
import { firstPage } from '../../domain/statuspages/pages.service.ts';
import { completeMaintenance, createMaintenance, oneOffWindows, prefillFromWindow } from '../../domain/statuspages/posts.maintenance.ts';
import { addUpdate, createIncident, discardDraft, editPost, getPost, listPagePosts, pageComponents, publishPost, savePostmortem } from '../../domain/statuspages/posts.service.ts';
import { effectLabel, IMPACT_LABELS, IMPACTS, INCIDENT_STATES, STATE_LABELS } from '../../domain/statuspages/posts.ts';
import { createTemplate, deleteTemplate, getTemplate, listTemplates, templateFromQuery, updateTemplate } from '../../domain/statuspages/templates.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { ConflictError, NotFoundError } from '../../lib/errors.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

function deps(c: Context<AppEnv>) {
  const { db, clock, config } = c.get('deps');
  return { db, clock, baseUrl: config.baseUrl };
}

const ids = (c: Context<AppEnv>) => ({ accountId: authOf(c).account.id, pageId: parseDbId(c.req.param('pageId')), postId: parseDbId(c.req.param('id')) });
const labels = { states: INCIDENT_STATES, impacts: IMPACTS, stateLabels: STATE_LABELS, impactLabels: IMPACT_LABELS, effectLabel, md: renderMarkdown };
/** Posts, updates and templates: any member reads them, incidents.write changes them. */
const write = requireRole('incidents.write');
const base = (pageId: number) => `/pages/${pageId}/incidents`;

/** The new-incident form: components of the page, templates, and values (a template prefills them). */
async function newData(c: Context<AppEnv>, values?: Record<string, string>) {
  const { accountId, pageId } = ids(c);
  const [list, components, templates] = await Promise.all([listPagePosts(deps(c), accountId, pageId), pageComponents(deps(c), accountId, pageId), listTemplates(deps(c), accountId)]);
  const t = values ? undefined : await templateFromQuery(deps(c), accountId, c.req.query('template'));
  return { ...labels, page: list.page, components, templates, templateId: t?.id, values: values ?? { title: t?.title ?? '', state: t?.state ?? 'investigating', message: t?.body ?? '' }, fields: {} };
}

async function showData(c: Context<AppEnv>, values?: Record<string, string>) {
  const { accountId, pageId, postId } = ids(c);
  const [post, list, templates] = await Promise.all([getPost(deps(c), accountId, pageId, postId), listPagePosts(deps(c), accountId, pageId), listTemplates(deps(c), accountId)]);
  const t = values ? undefined : await templateFromQuery(deps(c), accountId, c.req.query('template'));
  return { ...labels, page: list.page, post, templates, templateId: t?.id, values: values ?? { state: t?.state ?? (post.state === 'resolved' ? 'resolved' : post.state), message: t?.body ?? '', postmortem: post.postmortem ?? '' }, fields: {} };
}

async function editData(c: Context<AppEnv>, values?: Record<string, string>) {
  const { accountId, pageId, postId } = ids(c);
  const [post, components, list] = await Promise.all([getPost(deps(c), accountId, pageId, postId), pageComponents(deps(c), accountId, pageId), listPagePosts(deps(c), accountId, pageId)]);
  const v: Record<string, string> = values ?? { title: post.title };
  if (!values) for (const pc of post.components) v[post.kind === 'incident' ? `impact_${pc.id}` : `component_${pc.id}`] = post.kind === 'incident' ? pc.impact : 'on';
  return { ...labels, page: list.page, post, components, values: v, fields: {} };
}

async function maintenanceData(c: Context<AppEnv>, values?: Record<string, string>) {
  const { accountId, pageId } = ids(c);
  const [list, components, windows] = await Promise.all([listPagePosts(deps(c), accountId, pageId), pageComponents(deps(c), accountId, pageId), oneOffWindows(deps(c), accountId)]);
  const window = c.req.query('window');
  const v = values ?? (window ? await prefillFromWindow(deps(c), accountId, pageId, parseDbId(window)) : { timezone: 'UTC', publish: 'now' });
  return { page: list.page, components, windows, values: v, fields: {} };
}

/** Incident and maintenance posts of a status page, and the account's incident templates. */
export const pagePostRoutes = new Hono<AppEnv>()
  // The top bar has no page picker yet: the account's first page.
  .get('/incidents', async (c) => {
    const first = await firstPage(c.get('deps').db, authOf(c).account.id);
    return c.redirect(first ? base(first.id) : '/dashboard', 302);
  })
  .get('/pages/:pageId/incidents', async (c) => {
    const { accountId, pageId } = ids(c);
    return html(c, 'pages/posts/index', { ...labels, ...(await listPagePosts(deps(c), accountId, pageId)), tab: 'incidents' });
  })
  .get('/pages/:pageId/incidents/new', write, async (c) => html(c, 'pages/posts/new', await newData(c)))
  .post('/pages/:pageId/incidents', write, async (c) => {
    const form = c.get('form');
    const { accountId, pageId } = ids(c);
    try {
      const id = await createIncident(deps(c), accountId, pageId, form, auditBy(c));
      return redirectAfterPost(c, `${base(pageId)}/${id}`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/new' }, await newData(c, form));
    }
  })
  .get('/pages/:pageId/maintenance/new', write, async (c) => html(c, 'pages/posts/maintenance', await maintenanceData(c)))
  .post('/pages/:pageId/maintenance', write, async (c) => {
    const form = c.get('form');
    const { accountId, pageId } = ids(c);
    try {
      const id = await createMaintenance(deps(c), accountId, pageId, form, auditBy(c));
      return redirectAfterPost(c, `${base(pageId)}/${id}`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/maintenance' }, await maintenanceData(c, form));
    }
  })
  .get('/pages/:pageId/incidents/:id', async (c) => html(c, 'pages/posts/show', await showData(c)))
  // A reload after a form error re-rendered at a POST-only URL: back to the incident.
  .get('/pages/:pageId/incidents/:id/:form{updates|postmortem}', (c) => {
    const { pageId, postId } = ids(c);
    if (Number.isNaN(pageId) || Number.isNaN(postId)) throw new NotFoundError('Incident');
    return c.redirect(`${base(pageId)}/${postId}`, 302);
  })
  .post('/pages/:pageId/incidents/:id/updates', write, async (c) => {
    const form = c.get('form');
    const { accountId, pageId, postId } = ids(c);
    try {
      await addUpdate(deps(c), accountId, pageId, postId, form, auditBy(c));
      return redirectAfterPost(c, `${base(pageId)}/${postId}`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/show' }, await showData(c, form));
    }
  })
  .post('/pages/:pageId/incidents/:id/postmortem', write, async (c) => {
    const form = c.get('form');
    const { accountId, pageId, postId } = ids(c);
    try {
      await savePostmortem(deps(c), accountId, pageId, postId, form, auditBy(c));
      return redirectAfterPost(c, `${base(pageId)}/${postId}`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/show' }, { ...(await showData(c)), values: { postmortem: form.postmortem ?? '' } });
    }
  })
  .post('/pages/:pageId/incidents/:id/publish', write, async (c) => {
    const { accountId, pageId, postId } = ids(c);
    await publishPost(deps(c), accountId, pageId, postId, auditBy(c));
    return redirectAfterPost(c, `${base(pageId)}/${postId}`);
  })
  .post('/pages/:pageId/incidents/:id/discard', write, confirmFirst(async (c) => {
    const { accountId, pageId, postId } = ids(c);
    const post = await getPost(deps(c), accountId, pageId, postId);
    if (post.publishedAt !== null) throw new ConflictError('Only drafts can be discarded; this post is already public.');
    return { title: `Discard the draft "${post.title}"?`, detail: 'The draft and its updates are deleted; nothing was shown on the status page.', button: 'Discard', cancel: `${base(pageId)}/${postId}` };
  }), async (c) => {
    const { accountId, pageId, postId } = ids(c);
    await discardDraft(deps(c), accountId, pageId, postId, auditBy(c));
    return redirectAfterPost(c, base(pageId));
  })
  .post('/pages/:pageId/incidents/:id/complete', write, async (c) => {
    const { accountId, pageId, postId } = ids(c);
    await completeMaintenance(deps(c), accountId, pageId, postId, auditBy(c));
    return redirectAfterPost(c, `${base(pageId)}/${postId}`);
  })
  .get('/pages/:pageId/incidents/:id/edit', write, async (c) => html(c, 'pages/posts/edit', await editData(c)))
  .post('/pages/:pageId/incidents/:id/edit', write, async (c) => {
    const form = c.get('form');
    const { accountId, pageId, postId } = ids(c);
    try {
      await editPost(deps(c), accountId, pageId, postId, form);
      return redirectAfterPost(c, `${base(pageId)}/${postId}`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/edit' }, await editData(c, form));
    }
  })
  .get('/incident-templates', async (c) => {
    const accountId = authOf(c).account.id;
    const editing = c.req.query('edit') ? await getTemplate(deps(c), accountId, parseDbId(c.req.query('edit'))) : undefined;
    return html(c, 'pages/posts/templates', { ...labels, templates: await listTemplates(deps(c), accountId), editing, values: editing ?? { state: 'investigating' }, fields: {}, back: c.req.query('back') });
  })
  .post('/incident-templates', write, async (c) => {
    const form = c.get('form');
    const accountId = authOf(c).account.id;
    try {
      await createTemplate(deps(c), accountId, form);
      return redirectAfterPost(c, '/incident-templates');
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/posts/templates' }, { ...labels, templates: await listTemplates(deps(c), accountId), values: form });
    }
  })
  .post('/incident-templates/:id', write, async (c) => {
    const form = c.get('form');
    const accountId = authOf(c).account.id;
    const id = parseDbId(c.req.param('id'));
    try {
      await updateTemplate(deps(c), accountId, id, form);
      return redirectAfterPost(c, '/incident-templates');
    } catch (err) {
      const editing = await getTemplate(deps(c), accountId, id);
      return renderFormError(c, err, { page: 'pages/posts/templates' }, { ...labels, templates: await listTemplates(deps(c), accountId), editing, values: form });
    }
  })
  .post('/incident-templates/:id/delete', write, confirmFirst(async (c) => {
    const t = await getTemplate(deps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return { title: `Delete the template "${t.name}"?`, detail: 'Incidents written from it are not changed.', button: 'Delete', cancel: '/incident-templates' };
  }), async (c) => {
    await deleteTemplate(deps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return redirectAfterPost(c, '/incident-templates');
  });
