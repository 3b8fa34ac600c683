import type { MiddlewareHandler } from 'hono';

/** Everything is served from our own origin, so the CSP can forbid inline and foreign scripts. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
  // Public status pages may be embedded by their owners anywhere; nothing else may be framed.
  const embeddable = c.req.path.startsWith('/s/');
  if (!embeddable) c.header('X-Frame-Options', 'DENY');
  if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors ${embeddable ? '*' : "'none'"}; form-action 'self'; base-uri 'self'`,
    );
  }
};
