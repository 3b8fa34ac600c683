import { type Context, Hono } from 'hono';
import { parseDbId } from '../../lib/ids.ts';
import { ValidationError } from '../../lib/errors.ts';
import { historyFor, RANGES, type RangeKey, rangeSeries, responseSeries, responseSummary24h } from '../../domain/checks/uptime.service.ts';
import { lastScreenshot, recentResults } from '../../domain/checks/results.service.ts';
import { incidentsOfMonitor } from '../../domain/incidents/incidents.service.ts';
import { failedAlerts, listChannels, monitorChannelIds, setMonitorChannels } from '../../domain/alerts/alerts.service.ts';
import { limitsFor } from '../../domain/billing/plans.ts';
import { billingBanners } from '../../domain/billing/billing.service.ts';
import { can } from '../../domain/accounts/roles.ts';
import { CHECK_TYPES } from '../../domain/checks/probes/index.ts';
import { savedSecrets } from '../../domain/monitors/monitor-secrets.ts';
import type { Monitor } from '../../domain/monitors/monitors.ts';
import {
  createMonitor,
  deleteMonitor,
  getMonitor,
  listMonitors,
  requestCheck,
  setPaused,
  typeAvailability,
  updateMonitor,
} from '../../domain/monitors/monitors.service.ts';
import { slaForMonitor } from '../../domain/incidents/sla.ts';
import { badgeLink } from '../../domain/statuspages/statuspages.service.ts';
import { DAY } from '../../lib/clock.ts';
import { csvCell, SLA_CSV_HEADER, slaCsvCells, slaQuery } from '../sla-query.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { chosenType, monitorFormValues, typeFormView } from '../monitor-form.ts';
import { redirectAfterPost, renderFormError, returnPath } from '../forms.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html, isHtmx } from '../render.ts';

function monitorDeps(c: Context<AppEnv>) {
  const { db, clock, policy, config, delivery, events } = c.get('deps');
  return { db, clock, policy, events, guard: delivery.guard, browserChecks: config.browserChecks, ownHost: new URL(config.baseUrl).hostname, types: CHECK_TYPES };
}


function minInterval(c: Context<AppEnv>): number {
  return limitsFor(c.get('deps').policy, authOf(c).account.plan).minIntervalSeconds;
}

/** The form's values and the chosen type's fields (from its definition). */
function formData(c: Context<AppEnv>, m?: Monitor, submitted?: Record<string, string>) {
  const values = monitorFormValues(CHECK_TYPES, { m, submitted, type: c.req.query('type'), minInterval: minInterval(c) });
  const def = chosenType(CHECK_TYPES, values.type);
  return { values, typeForm: typeFormView(def), ...(m ? { saved: savedSecrets(def, m.settings) } : {}) };
}

function alertDeps(c: Context<AppEnv>) {
  const { db, clock, policy, delivery, alerts } = c.get('deps');
  return { db, clock, policy, delivery, baseUrl: alerts.baseUrl };
}

/** The account's channels with a flag for those this monitor (or a new one) uses. */
async function channelChoices(c: Context<AppEnv>, m?: Monitor, submitted?: Record<string, string>) {
  const all = await listChannels(alertDeps(c), authOf(c).account.id);
  const chosen = submitted
    ? new Set(Object.keys(submitted).filter((k) => /^channel_\d+$/.test(k)).map((k) => Number(k.slice(8))))
    : m
      ? new Set(await monitorChannelIds(alertDeps(c), m.id))
      : new Set(all.filter((ch) => ch.isDefault).map((ch) => ch.id));
  return all.map((ch) => ({ id: ch.id, name: ch.name, kind: ch.kind, disabled: ch.disabledAt !== null, checked: chosen.has(ch.id) }));
}

/** Applies the channel checkboxes of a submitted monitor form. */
async function saveChannels(c: Context<AppEnv>, monitorId: number, form: Record<string, string>) {
  if (form.channels_submitted !== '1') return;
  const ids = Object.keys(form).filter((k) => /^channel_\d+$/.test(k)).map((k) => Number(k.slice(8)));
  await setMonitorChannels(alertDeps(c), authOf(c).account.id, monitorId, ids);
}

/** The type chooser: every type, with the reason a type cannot be chosen here, so nobody fills in a form in vain. */
function typeChoices(c: Context<AppEnv>) {
  return typeAvailability(monitorDeps(c), authOf(c).account.id);
}

/** Dashboard rows: each monitor with its 24 h uptime from the hourly rollups. */
export async function dashboardRows(c: Context<AppEnv>) {
  const { account } = authOf(c);
  const deps = monitorDeps(c);
  const monitors = await listMonitors(deps, account.id);
  const history = await historyFor(deps.db, monitors.map((m) => m.id), deps.clock.now(), false, c.get('deps').history);
  return monitors.map((m) => ({ m, uptime24h: history.get(m.id)?.uptime['24h'] ?? null }));
}

async function rowFor(c: Context<AppEnv>, m: Monitor) {
  const history = await historyFor(c.get('deps').db, [m.id], c.get('deps').clock.now(), false);
  return html(c, 'partials/monitors/row', { row: { m, uptime24h: history.get(m.id)?.uptime['24h'] ?? null }, now: c.get('deps').clock.now() });
}

async function detailData(c: Context<AppEnv>, m: Monitor) {
  const deps = monitorDeps(c);
  const now = deps.clock.now();
  const range = (Object.keys(RANGES) as RangeKey[]).find((k) => k === c.req.query('range')) ?? '24h';
  const [history, results, incidents, series, response, rangePoints, badgeSlug] = await Promise.all([
    historyFor(deps.db, [m.id], now, false),
    recentResults(deps.db, m.id, 50),
    incidentsOfMonitor(deps.db, m.accountId, m.id, 20),
    responseSeries(deps.db, m.id, now),
    responseSummary24h(deps.db, m.id, now),
    rangeSeries(deps.db, m.id, now, range),
    badgeLink(deps, m),
  ]);
  const checking = c.req.query('checking') === '1' && (m.checkRequestedAt ?? 0) > (m.lastCheckedAt ?? 0);
  return {
    m, uptime: history.get(m.id)!.uptime, results, incidents, series, response, checking, now, chartFrom: now - DAY, chartTo: now,
    baseUrl: c.get('deps').config.baseUrl, range, ranges: Object.keys(RANGES), rangePoints, rangeFrom: now - RANGES[range].ms, badgeSlug,
  };
}

const FORM_VIEWS = { page: 'pages/monitors/form', partial: 'partials/monitors/form' };

export const monitorRoutes = new Hono<AppEnv>()
  .get('/dashboard', async (c) => {
    const accountId = authOf(c).account.id;
    const [rows, failed, channels, billing] = await Promise.all([
      dashboardRows(c), failedAlerts(alertDeps(c), accountId), listChannels(alertDeps(c), accountId), billingBanners(c.get('deps'), accountId),
    ]);
    const disabled = channels.filter((ch) => ch.disabledAt !== null);
    const canManageBilling = can(authOf(c).role, 'billing.manage');
    return html(c, 'pages/dashboard/index', { rows, now: c.get('deps').clock.now(), failedAlerts: failed.length, disabledChannels: disabled, billing, canManageBilling });
  })
  .get('/dashboard/monitors', async (c) => html(c, 'partials/dashboard/monitor-list', { rows: await dashboardRows(c), now: c.get('deps').clock.now() }))
  .get('/monitors/new', requireRole('monitors.write'), async (c) =>
    html(c, 'pages/monitors/form', { ...formData(c), fields: {}, mode: 'new', minInterval: minInterval(c), channels: await channelChoices(c), types: await typeChoices(c) }),
  )
  // The Type select swaps in that type's fields (htmx); without JS, /monitors/new?type= does.
  // The probe timing fields (not for heartbeats) come along out of band, with their defaults.
  .get('/monitors/type-fields', (c) => html(c, 'partials/monitors/type-fields', { ...formData(c), fields: {}, oob: true }))
  // A reload of a new-monitor form re-rendered with errors at POST /monitors.
  .get('/monitors', (c) => c.redirect('/monitors/new', 302))
  .post('/monitors', requireRole('monitors.write'), async (c) => {
    const form = c.get('form');
    try {
      const m = await createMonitor(monitorDeps(c), authOf(c).account.id, form, auditBy(c));
      await saveChannels(c, m.id, form);
      return redirectAfterPost(c, `/monitors/${m.id}`);
    } catch (err) {
      return renderFormError(c, err, FORM_VIEWS, {
        ...formData(c, undefined, form), mode: 'new', minInterval: minInterval(c), channels: await channelChoices(c, undefined, form), types: await typeChoices(c),
      });
    }
  })
  .get('/monitors/:id', async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return html(c, 'pages/monitors/show', await detailData(c, m));
  })
  // SLA report for a month: printable HTML, or CSV with ?format=csv.
  .get('/monitors/:id/sla', async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    const { now, month, monthError, from, to, excludeMaintenance, countDegraded, csv } = slaQuery(c);
    const q = c.req.query();
    const t = q.target === undefined || q.target === '' ? 99.9 : Number(q.target);
    const target = Number.isFinite(t) ? Math.min(100, Math.max(0, t)) : 99.9;
    if (csv && monthError) throw new ValidationError(monthError, { month: monthError });
    const report = await slaForMonitor(c.get('deps').db, m.accountId, m.id, { from, to, target, excludeMaintenance, countDegraded }, now);
    if (csv) {
      const header = SLA_CSV_HEADER.replace('component,monitor_id', 'monitor');
      const row = [csvCell(m.name), month, target, ...slaCsvCells(report)].join(',');
      c.header('Content-Disposition', `attachment; filename="sla-${m.id}-${month}.csv"`);
      return c.body(`${header}\n${row}\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    }
    return html(c, 'pages/monitors/sla', { m, report, month, monthError, from, target, excludeMaintenance, countDegraded });
  })
  .get('/monitors/:id/screenshot.png', async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    const shot = await lastScreenshot(c.get('deps').db, m.id);
    if (!shot) return c.text('No screenshot', 404);
    c.header('Content-Type', 'image/png');
    c.header('Cache-Control', 'private, no-cache');
    return c.body(new Uint8Array(shot.png));
  })
  .get('/monitors/:id/live', async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return html(c, 'partials/monitors/live', await detailData(c, m));
  })
  .get('/monitors/:id/edit', requireRole('monitors.write'), async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return html(c, 'pages/monitors/form', { ...formData(c, m), fields: {}, mode: 'edit', m, minInterval: minInterval(c), channels: await channelChoices(c, m), types: await typeChoices(c) });
  })
  .post('/monitors/:id/edit', requireRole('monitors.write'), async (c) => {
    const form = c.get('form');
    const id = parseDbId(c.req.param('id'));
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, id);
    try {
      await updateMonitor(monitorDeps(c), authOf(c).account.id, id, form, auditBy(c));
      await saveChannels(c, id, form);
      return redirectAfterPost(c, `/monitors/${id}`);
    } catch (err) {
      return renderFormError(c, err, FORM_VIEWS, {
        ...formData(c, undefined, { ...form, type: m.type }), saved: savedSecrets(CHECK_TYPES.get(m.type), m.settings), mode: 'edit', m, minInterval: minInterval(c), channels: await channelChoices(c, m, form), types: await typeChoices(c),
      });
    }
  })
  .post('/monitors/:id/delete', requireRole('monitors.write'), confirmFirst(async (c) => {
    const m = await getMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return { title: `Delete monitor "${m.name}"?`, detail: 'This removes its history, incidents and its components on status pages.', button: 'Delete', cancel: c.get('form').from === 'row' ? '/dashboard' : `/monitors/${m.id}` };
  }), async (c) => {
    await deleteMonitor(monitorDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')), auditBy(c));
    // An htmx delete from a dashboard row swaps the row away; otherwise go back to the list.
    if (isHtmx(c) && c.get('form').from === 'row') return c.body('', 200);
    return redirectAfterPost(c, '/dashboard');
  })
  .post('/monitors/:id/:action{pause|resume|check}', requireRole('monitors.write'), async (c) => {
    const deps = monitorDeps(c);
    const accountId = authOf(c).account.id;
    const id = parseDbId(c.req.param('id'));
    const action = c.req.param('action');
    const m =
      action === 'check' ? await requestCheck(deps, accountId, id) : await setPaused(deps, accountId, id, action === 'pause', auditBy(c));
    if (isHtmx(c) && c.get('form').from === 'row') return rowFor(c, m);
    // Pause/resume from a dashboard row without JS: back to the list; "check now" goes to the monitor to watch the result.
    if (action !== 'check' && c.get('form').from === 'row') return redirectAfterPost(c, returnPath(c, '/dashboard'));
    return redirectAfterPost(c, `/monitors/${id}${action === 'check' ? '?checking=1' : ''}`);
  });
