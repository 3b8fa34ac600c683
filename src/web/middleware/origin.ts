import type { Context } from 'hono';

/**
 * CSRF for cookie-less public forms: a browser's cross-site POST carries a foreign Origin.
 * A request without Origin (old browsers, non-browser clients) is let through; the route's
 * own checks (a signed form token, a signed link) decide then.
 */
export function isCrossSite(c: Context, baseUrl: string): boolean {
  const origin = c.req.header('origin');
  if (!origin) return false;
  try {
    const o = new URL(origin);
    return !(o.host === c.req.header('host') || o.origin === new URL(baseUrl).origin);
  } catch {
    return true;
  }
}
