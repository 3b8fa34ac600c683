import { type Context, Hono } from 'hono';
import { apiAccess, SCOPES } from '../../domain/apikeys/apikeys.ts';
import { createKey, listKeys, revokeKey } from '../../domain/apikeys/apikeys.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { assertCan } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';

function deps(c: Context<AppEnv>) {
  const { db, clock, policy } = c.get('deps');
  return { db, clock, policy };
}

function actor(c: Context<AppEnv>) {
  const auth = authOf(c);
  return { accountId: auth.account.id, userId: auth.user.id, email: auth.user.email, ip: c.get('clientIp') ?? null };
}

async function pageData(c: Context<AppEnv>, extra: Record<string, unknown> = {}) {
  const auth = authOf(c);
  const access = apiAccess(c.get('deps').policy, auth.account.plan);
  return {
    keys: await listKeys(deps(c), auth.account.id),
    allowed: access.allowed,
    planMessage: access.allowed ? null : access.message,
    scopes: SCOPES,
    values: { scope: 'read' },
    fields: {},
    now: c.get('deps').clock.now(),
    revoked: c.req.query('revoked') === '1',
    ...extra,
  };
}

/** Settings → API keys: admins and owners create (shown once), list and revoke keys. */
export const apiKeyRoutes = new Hono<AppEnv>()
  .get('/settings/api-keys', async (c) => {
    assertCan(c, 'apikeys.manage');
    return html(c, 'pages/apikeys/index', await pageData(c));
  })
  .post('/settings/api-keys', async (c) => {
    assertCan(c, 'apikeys.manage');
    const form = c.get('form');
    try {
      const { key, secret } = await createKey(deps(c), actor(c), form);
      c.header('Cache-Control', 'no-store');
      return html(c, 'pages/apikeys/index', await pageData(c, { created: key, secret }), 201);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/apikeys/index' }, await pageData(c, { values: form }));
    }
  })
  .post('/settings/api-keys/:id/revoke', async (c, next) => {
    assertCan(c, 'apikeys.manage');
    return next();
  }, confirmFirst(async (c) => {
    const id = parseDbId(c.req.param('id'));
    const key = (await listKeys(deps(c), authOf(c).account.id)).find((k) => k.id === id && k.revokedAt === null);
    if (!key) throw new NotFoundError('API key');
    return { title: `Revoke the API key "${key.name}"?`, detail: 'Anything using it stops working at once. This cannot be undone.', button: 'Revoke', cancel: '/settings/api-keys' };
  }), async (c) => {
    await revokeKey(deps(c), actor(c), parseDbId(c.req.param('id')));
    return redirectAfterPost(c, '/settings/api-keys?revoked=1');
  });
