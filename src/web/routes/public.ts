import { Hono } from 'hono';
import { ping } from '../../db/health.ts';
import type { AppEnv } from '../deps.ts';

export const publicRoutes = new Hono<AppEnv>().get('/', (c) => c.redirect(c.get('auth') ? '/dashboard' : '/login'));

/** Mounted before the session middleware: health checkers get no cookies. */
export const healthRoutes = new Hono<AppEnv>().get('/healthz', async (c) => {
  try {
    await ping(c.get('deps').db);
    return c.json({ status: 'ok' });
  } catch {
    return c.json({ status: 'unavailable' }, 503);
  }
});
