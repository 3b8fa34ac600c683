import { Hono } from 'hono';
import { sql } from 'kysely';
import { getPublicStatus, toPublicJson } from '../../domain/statuspages/statuspages.service.ts';
import type { AppEnv } from '../deps.ts';
import { html } from '../render.ts';

export const publicRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect(c.get('auth') ? '/dashboard' : '/login'))
  .get('/healthz', async (c) => {
    try {
      await sql`select 1`.execute(c.get('deps').db);
      return c.json({ status: 'ok' });
    } catch {
      return c.json({ status: 'unavailable' }, 503);
    }
  })
  .get('/s/:slug', async (c) => {
    const status = await getPublicStatus(c.get('deps'), c.req.param('slug'));
    c.header('Cache-Control', 'public, max-age=15');
    // Status pages may be embedded by their owners; everything else stays unframeable.
    c.header('X-Frame-Options', 'SAMEORIGIN');
    return html(c, 'pages/statuspages/show', { s: status });
  })
  .get('/s/:slug/api', async (c) => {
    const status = await getPublicStatus(c.get('deps'), c.req.param('slug'));
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'public, max-age=15');
    return c.json(toPublicJson(status));
  });
