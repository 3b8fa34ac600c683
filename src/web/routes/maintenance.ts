import { type Context, Hono } from 'hono';
import { parseDbId } from '../../lib/ids.ts';
import { createWindow, deleteWindow, endWindow, getWindow, listWindows } from '../../domain/alerts/maintenance.service.ts';
import { listMonitors } from '../../domain/monitors/monitors.service.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

function deps(c: Context<AppEnv>) {
  const { db, clock, policy } = c.get('deps');
  return { db, clock, policy };
}


async function pageData(c: Context<AppEnv>, extra: Record<string, unknown> = {}) {
  const accountId = authOf(c).account.id;
  const [windows, monitors] = await Promise.all([listWindows(deps(c), accountId), listMonitors(deps(c), accountId)]);
  const names = new Map(monitors.map((m) => [m.id, m.name]));
  return { windows, monitors, names, values: { type: 'once', timezone: 'UTC' }, fields: {}, now: c.get('deps').clock.now(), ...extra };
}

export const maintenanceRoutes = new Hono<AppEnv>()
  .get('/maintenance', async (c) => html(c, 'pages/maintenance/index', await pageData(c)))
  .post('/maintenance', requireRole('maintenance.write'), async (c) => {
    const form = c.get('form');
    try {
      await createWindow(deps(c), authOf(c).account.id, form, auditBy(c));
      return redirectAfterPost(c, '/maintenance');
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/maintenance/index' }, await pageData(c, { values: form }));
    }
  })
  .post('/maintenance/:id/end', requireRole('maintenance.write'), async (c) => {
    await endWindow(deps(c), authOf(c).account.id, parseDbId(c.req.param('id')), auditBy(c));
    return redirectAfterPost(c, '/maintenance');
  })
  .post('/maintenance/:id/delete', requireRole('maintenance.write'), confirmFirst(async (c) => {
    const w = await getWindow(deps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return { title: `Delete the maintenance window "${w.title}"?`, detail: 'Alerts for its monitors are no longer held back during it.', button: 'Delete', cancel: '/maintenance' };
  }), async (c) => {
    await deleteWindow(deps(c), authOf(c).account.id, parseDbId(c.req.param('id')), auditBy(c));
    return redirectAfterPost(c, '/maintenance');
  });
