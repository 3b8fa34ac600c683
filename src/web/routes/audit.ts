import { Hono } from 'hono';
import { auditPage } from '../../domain/audit/audit.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

/** The account's audit log, newest first, paged with ?before=<id>. */
export const auditRoutes = new Hono<AppEnv>().get('/settings/audit', requireRole('audit.view'), async (c) => {
  const before = c.req.query('before');
  const page = await auditPage(c.get('deps').db, authOf(c).account.id, before ? parseDbId(before) : undefined);
  return html(c, 'pages/team/audit', { ...page, paged: !!before });
});
