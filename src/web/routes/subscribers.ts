import { type Context, Hono } from 'hono';
import { getSubscriber, listSubscribers, removeSubscriber, subscribersCsv } from '../../domain/subscribers/subscribers.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost } from '../forms.ts';
import { requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

/** Rows shown on the page; the CSV export has them all. */
const LIST_LIMIT = 500;

const pageId = (c: Context<AppEnv>) => parseDbId(c.req.param('id'));

/**
 * Subscribers of one of the account's status pages: counts and list for any member; removal
 * and the CSV export (every address at once) need pages.write.
 */
export const subscriberRoutes = new Hono<AppEnv>()
  .get('/pages/:id/subscribers', async (c) => {
    const data = await listSubscribers(c.get('deps'), authOf(c).account.id, pageId(c), LIST_LIMIT);
    return html(c, 'pages/statuspages/subscribers', { ...data, tab: 'subscribers', limit: LIST_LIMIT, removed: c.req.query('removed') === '1' });
  })
  .get('/pages/:id/subscribers.csv', requireRole('pages.write'), async (c) => {
    const data = await listSubscribers(c.get('deps'), authOf(c).account.id, pageId(c));
    c.header('Content-Type', 'text/csv; charset=UTF-8');
    c.header('Content-Disposition', `attachment; filename="subscribers-${data.page.slug}.csv"`);
    c.header('Cache-Control', 'private, no-store');
    return c.body(subscribersCsv(data.subscribers));
  })
  .post('/pages/:id/subscribers/:subscriberId/delete', requireRole('pages.write'), confirmFirst(async (c) => {
    const s = await getSubscriber(c.get('deps'), authOf(c).account.id, pageId(c), parseDbId(c.req.param('subscriberId')));
    return { title: `Remove ${s.address}?`, detail: `They get no more notices from "${s.pageTitle}" unless they subscribe again.`, button: 'Remove', cancel: `/pages/${pageId(c)}/subscribers` };
  }), async (c) => {
    await removeSubscriber(c.get('deps'), authOf(c).account.id, pageId(c), parseDbId(c.req.param('subscriberId')));
    return redirectAfterPost(c, `/pages/${pageId(c)}/subscribers?removed=1`);
  });
