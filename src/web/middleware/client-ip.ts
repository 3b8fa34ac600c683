import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';

/**
 * The client address: the socket's peer, or with TRUST_PROXY=1 the right-most
 * X-Forwarded-For entry (the one our own proxy appended), so a client cannot spoof it.
 */
export const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  let ip = 'unknown';
  try {
    ip = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    /* not served by node-server (app.request in tests): keep 'unknown' */
  }
  if (c.get('deps').config.trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    const last = xff?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) ip = last;
  }
  c.set('clientIp', ip);
  await next();
};
