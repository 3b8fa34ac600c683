import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.ts';

/**
 * Everything is served from our own origin, so the CSP can forbid inline and foreign scripts.
 * The headers are set before the route runs, so they join the response as it is built:
 * changing a response after it was made would copy its body into a stream and take the
 * server off its fast path for cached status pages. A route may replace the CSP (the billing
 * page's forms redirect to Stripe); on non-HTML answers the policy is inert.
 */
export function securityHeaders(baseUrl: string): MiddlewareHandler<AppEnv> {
  // Served over https (BASE_URL says so): browsers must not try plain http again for a year.
  // Not when BASE_URL is plain http: browsers ignore the header there, and it would be untrue.
  const hsts = baseUrl.startsWith('https://');
  const embeddable = headerSet(true, hsts);
  const frameless = headerSet(false, hsts);
  return async (c, next) => {
    // Public status pages may be embedded by their owners anywhere; nothing else may be framed.
    const headers = c.req.path.startsWith('/s/') ? embeddable : frameless;
    for (const k in headers) c.header(k, headers[k]);
    // Kept for routes that build their Response directly (cached status pages).
    c.set('securityHeaders', headers);
    await next();
  };
}

function headerSet(embeddable: boolean, hsts: boolean): Readonly<Record<string, string>> {
  return Object.freeze({
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    ...(embeddable ? {} : { 'X-Frame-Options': 'DENY' }),
    'Content-Security-Policy': contentSecurityPolicy(embeddable),
    ...(hsts ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  });
}

/** `formTargets`: origins a form's POST may redirect to, besides our own. */
export function contentSecurityPolicy(embeddable = false, formTargets: string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors ${embeddable ? '*' : "'none'"}; form-action ${formAction}; base-uri 'self'`;
}
