import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';

/**
 * The client address: the socket's peer, or with TRUST_PROXY=1 the right-most
 * X-Forwarded-For entry (the one our own proxy appended), so a client cannot spoof it.
 */
export function resolveClientIp(c: Context, trustProxy: boolean): string {
  let ip = 'unknown';
  try {
    ip = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    /* not served by node-server (app.request in tests): keep 'unknown' */
  }
  if (trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) ip = last;
  }
  return ip;
}

export const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('clientIp', resolveClientIp(c, c.get('deps').config.trustProxy));
  await next();
};
