import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { randomToken } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { isHtmx } from '../render.ts';

export const CSRF_COOKIE = 'sp_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Signed double-submit token: a random per-browser cookie, and an HMAC of it in every form
 * (`_csrf`) and htmx request (`X-CSRF-Token`). Every unsafe method must carry it, whatever
 * its Content-Type (or none). A cross-site Origin is refused outright.
 */
export function csrf(exempt: (path: string) => boolean = () => false): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    let cookie = getCookie(c, CSRF_COOKIE);
    if (!cookie || cookie.length < 16) {
      cookie = randomToken(18);
      setCookie(c, CSRF_COOKIE, cookie, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: deps.config.baseUrl.startsWith('https:'),
      });
    }
    c.set('csrf', deps.tokens.csrfFor(cookie));
    if (!UNSAFE.has(c.req.method) || exempt(c.req.path)) return next();

    const origin = c.req.header('origin');
    const host = c.req.header('host');
    // Same site = the Host we were reached at, or BASE_URL's origin (behind a proxy the Host
    // header may be the upstream address).
    let crossSite = false;
    if (origin) {
      try {
        const o = new URL(origin);
        crossSite = o.host !== host && o.origin !== new URL(deps.config.baseUrl).origin;
      } catch {
        crossSite = true; // "null" and garbage origins
      }
    }
    const token = c.req.header('x-csrf-token') ?? c.get('form')._csrf ?? '';
    const valid = !!getCookie(c, CSRF_COOKIE) && deps.tokens.csrfMatches(cookie, token) && !crossSite;
    if (!valid) {
      deps.logger.warn({ path: c.req.path }, 'CSRF check failed');
      const message = 'This form has expired or came from another site. Reload the page and try again.';
      if (isHtmx(c)) return c.html(`<div class="alert alert-error" role="alert">${message}</div>`, 403);
      return c.html(`<!doctype html><title>Request refused</title><p>${message}</p><p><a href="/">Go to StatusPing</a></p>`, 403);
    }
    return next();
  };
}
