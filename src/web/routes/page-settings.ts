import { Hono } from 'hono';
import { getOwnPage, updateOwnPage } from '../../domain/statuspages/statuspages.service.ts';
import type { AppEnv } from '../deps.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

/** The look of the account's public status page. */
export const pageSettingsRoutes = new Hono<AppEnv>()
  .get('/settings/status-page', async (c) => {
    const page = await getOwnPage(c.get('deps').db, authOf(c).account.id);
    return html(c, 'pages/statuspages/settings', { page, values: { ...page, hide_powered_by: page.hide_powered_by === 1 }, fields: {}, saved: c.req.query('saved') === '1' });
  })
  .post('/settings/status-page', async (c) => {
    const form = c.get('form');
    const { db, policy, config } = c.get('deps');
    try {
      await updateOwnPage({ db, policy, ownHost: new URL(config.baseUrl).hostname }, authOf(c).account.id, form);
      return redirectAfterPost(c, '/settings/status-page?saved=1');
    } catch (err) {
      const page = await getOwnPage(db, authOf(c).account.id);
      return renderFormError(c, err, { page: 'pages/statuspages/settings' }, { page, values: { ...form, hide_powered_by: form.hide_powered_by === 'true' } });
    }
  });
