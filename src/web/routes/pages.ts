import { type Context, Hono } from 'hono';
import { getEditor } from '../../domain/statuspages/components.service.ts';
import { MANUAL_STATUSES } from '../../domain/statuspages/components.service.ts';
import { createPage, deletePage, firstPage, footerLinksOf, getPage, listPages, MAX_FOOTER_LINKS, updatePage } from '../../domain/statuspages/pages.service.ts';
import { domainView } from '../../domain/statuspages/domains.ts';
import { checkPageDomain } from '../../domain/statuspages/domains.service.ts';
import { listAssets } from '../../domain/statuspages/assets.service.ts';
import { slaForPage } from '../../domain/statuspages/page-sla.ts';
import { parseDbId } from '../../lib/ids.ts';
import { RateLimitError, ValidationError } from '../../lib/errors.ts';
import { MINUTE } from '../../lib/clock.ts';
import { csvCell, SLA_CSV_HEADER, slaCsvCells, slaQuery } from '../sla-query.ts';
import type { AppEnv } from '../deps.ts';
import { redirectAfterPost, renderFormError, userError } from '../forms.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html, renderErrorOnce } from '../render.ts';

export function pageIdOf(c: Context<AppEnv>): number {
  return parseDbId(c.req.param('pageId'));
}

/** The settings form's values from a stored page (footer links spread into their numbered fields). */
function valuesOf(page: Awaited<ReturnType<typeof getPage>>): Record<string, unknown> {
  const v: Record<string, unknown> = { ...page, hide_powered_by: page.hide_powered_by === 1, auto_publish: page.auto_publish === 1 };
  footerLinksOf(page.footer_links).forEach((l, i) => {
    v[`link_label_${i + 1}`] = l.label;
    v[`link_url_${i + 1}`] = l.url;
  });
  return v;
}

/** Everything /pages/:pageId shows: settings form, assets and the components editor. */
export async function editorData(c: Context<AppEnv>, pageId: number, extra: Record<string, unknown> = {}) {
  const { db, config, policy } = c.get('deps');
  const ed = await getEditor(db, authOf(c).account.id, pageId);
  return {
    ...ed,
    domain: domainView(ed.page, config.baseUrl, policy.selfHosted),
    releasedDomain: ed.page.domain_released,
    tab: 'settings',
    values: valuesOf(ed.page),
    fields: {},
    assets: await listAssets(db, ed.page.id),
    maxLinks: MAX_FOOTER_LINKS,
    statuses: MANUAL_STATUSES,
    saved: c.req.query('saved') ?? '',
    ...extra,
  };
}

/** Re-renders the page with an error of the components editor or the asset forms (not the settings form). */
export async function renderSectionError(c: Context<AppEnv>, err: unknown, pageId: number, section: 'components' | 'assets' | 'domain', submitted: Record<string, string> = {}) {
  const e = userError(err);
  const data = await editorData(c, pageId, { sectionError: { section, message: e.message, fields: e.fields, values: submitted } });
  const once = renderErrorOnce(c, 'pages/statuspages/edit', data, e.message, e.fields, { ...data, sectionError: { section, message: '', fields: e.fields, values: submitted } });
  return c.html(once, e.status as 400);
}

async function listData(c: Context<AppEnv>, extra: Record<string, unknown> = {}) {
  return { pages: await listPages(c.get('deps').db, authOf(c).account.id), values: {}, fields: {}, ...extra };
}

/** Status pages of the account: list, create, delete, and each page's settings (any member views; pages.write changes). */
// Each "Check DNS now" holds a request for up to a DNS timeout: 10 per page per 10 minutes.
const domainCheckLimit = (c: Context<AppEnv>) => c.get('deps').rateLimits.limiter('domain-check', 10, 10 * MINUTE);

export const pageRoutes = new Hono<AppEnv>()
  .get('/pages', async (c) => html(c, 'pages/statuspages/index', await listData(c, { deleted: c.req.query('deleted') === '1' })))
  .post('/pages', requireRole('pages.write'), async (c) => {
    const form = c.get('form');
    const { db, clock, policy } = c.get('deps');
    try {
      const id = await createPage({ db, clock, policy }, authOf(c).account.id, form);
      return redirectAfterPost(c, `/pages/${id}?saved=created`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/statuspages/index' }, await listData(c, { values: form }));
    }
  })
  // The settings of the single page before there were several: its first page now.
  .get('/settings/status-page', async (c) => {
    const first = await firstPage(c.get('deps').db, authOf(c).account.id);
    return c.redirect(first ? `/pages/${first.id}` : '/pages', 302);
  })
  .get('/pages/:pageId', async (c) => html(c, 'pages/statuspages/edit', await editorData(c, pageIdOf(c))))
  .post('/pages/:pageId', requireRole('pages.write'), async (c) => {
    const form = c.get('form');
    const { db, clock, policy, config } = c.get('deps');
    const pageId = pageIdOf(c);
    try {
      await updatePage({ db, clock, policy, ownHost: new URL(config.baseUrl).hostname }, authOf(c).account.id, pageId, form, auditBy(c));
      return redirectAfterPost(c, `/pages/${pageId}?saved=settings`);
    } catch (err) {
      const data = await editorData(c, pageId);
      const values = { ...form, hide_powered_by: form.hide_powered_by === 'true', auto_publish: form.auto_publish === 'true' };
      return renderFormError(c, err, { page: 'pages/statuspages/edit' }, { ...data, values });
    }
  })
  // "Check DNS now": the outcome is stored with the page, so the settings page shows it after the redirect.
  .post('/pages/:pageId/domain/check', requireRole('pages.write'), async (c) => {
    const { db, clock, policy, config } = c.get('deps');
    const pageId = pageIdOf(c);
    try {
      const limiter = domainCheckLimit(c);
      const key = `${authOf(c).account.id}:${pageId}`; // an outsider's tries never count against the page
      const state = await limiter.take(key);
      if (!state.allowed) {
        c.header('Retry-After', String(state.resetSeconds));
        throw new RateLimitError(state.resetSeconds);
      }
      const outcome = await checkPageDomain({ db, clock, policy, resolver: config.dnsVerifyResolver }, authOf(c).account.id, pageId, auditBy(c));
      return redirectAfterPost(c, `/pages/${pageId}?saved=${outcome.status === 'verified' ? 'domain-verified' : 'domain-checked'}#domain`);
    } catch (err) {
      return renderSectionError(c, err, pageId, 'domain');
    }
  })
  // Deleting asks first (a page of its own, no JavaScript needed), then posts.
  .get('/pages/:pageId/delete', requireRole('pages.write'), async (c) => {
    const page = await getPage(c.get('deps').db, authOf(c).account.id, pageIdOf(c));
    return html(c, 'pages/statuspages/delete', { page });
  })
  .post('/pages/:pageId/delete', requireRole('pages.write'), async (c) => {
    const { db } = c.get('deps');
    const pageId = pageIdOf(c);
    try {
      await deletePage(db, authOf(c).account.id, pageId);
      return redirectAfterPost(c, '/pages?deleted=1');
    } catch (err) {
      const page = await getPage(db, authOf(c).account.id, pageId);
      return renderFormError(c, err, { page: 'pages/statuspages/delete' }, { page });
    }
  })
  // The page's SLA over a month: every visible monitor component against the page's target.
  .get('/pages/:pageId/sla', async (c) => {
    const q = slaQuery(c);
    if (q.csv && q.monthError) throw new ValidationError(q.monthError, { month: q.monthError });
    const r = await slaForPage(c.get('deps').db, authOf(c).account.id, pageIdOf(c), { from: q.from, to: q.to, excludeMaintenance: q.excludeMaintenance, countDegraded: q.countDegraded }, q.now);
    if (q.csv) {
      const rows = r.components.map(({ name, monitorId, report: x }) => [csvCell(name), monitorId, q.month, r.target, ...slaCsvCells(x)].join(','));
      const t = r.total;
      const iso = r.countedFrom === null ? '' : new Date(r.countedFrom).toISOString();
      if (t.meanUptime !== null) rows.push([csvCell('Page mean'), '', q.month, r.target, t.meanUptime, t.meanMet, '', t.downtimeMinutes, t.incidents, '', '', '', q.countDegraded, iso].join(','));
      if (t.worst) rows.push([csvCell(`Worst: ${t.worst.name}`), '', q.month, r.target, t.worst.uptimePercent, t.worst.met, '', '', '', '', '', '', q.countDegraded, ''].join(','));
      c.header('Content-Disposition', `attachment; filename="sla-page-${r.page.id}-${q.month}.csv"`);
      return c.body(`${SLA_CSV_HEADER}\n${rows.map((x) => `${x}\n`).join('')}`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    }
    return html(c, 'pages/statuspages/sla', { r, month: q.month, monthError: q.monthError, from: q.from, excludeMaintenance: q.excludeMaintenance, countDegraded: q.countDegraded });
  });
