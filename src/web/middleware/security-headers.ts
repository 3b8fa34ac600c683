import type { MiddlewareHandler } from 'hono';

/** Everything is served from our own origin, so the CSP can forbid inline and foreign scripts. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
  if (!c.res.headers.has('X-Frame-Options')) c.header('X-Frame-Options', 'DENY');
  if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    );
  }
};
