import type { MiddlewareHandler } from 'hono';
import { pageForDomain } from '../../domain/statuspages/page-access.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';
import type { AppEnv, WebDeps } from '../deps.ts';

/** The paths of a status page, as they look on its own domain (without /s/<slug>). */
const PAGE_PATHS = /^\/(?:api|history|feed\.atom|feed\.rss|unlock|logo|favicon|subscribe(?:\/confirm)?|unsubscribe|incidents\/\d{1,12})?$/;

/**
 * A status page on its own host name: a request whose Host is a page's custom domain is
 * answered as /s/<slug>… of that page. Other paths (static files) pass through unchanged.
 */
export function customDomains(deps: WebDeps, refetch: (req: Request, env: unknown) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  const ownHost = new URL(deps.config.baseUrl).hostname.toLowerCase();
  const lookups = new TtlCache<string | undefined>(deps.clock, 30_000, 10_000);
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!host || host === ownHost || host === 'localhost' || c.req.path.startsWith('/static/')) return next();
    const slug = await lookups.get(host, () => pageForDomain(deps.db, host, deps.policy.selfHosted));
    if (!slug) return next();
    // A customer's domain shows its status page and nothing else of the app.
    if (c.req.path === `/s/${slug}` || c.req.path.startsWith(`/s/${slug}/`)) return next();
    if (!PAGE_PATHS.test(c.req.path)) return c.text('Not found', 404);
    const url = new URL(c.req.url);
    url.pathname = `/s/${slug}${c.req.path === '/' ? '' : c.req.path}`;
    // The server context (env) goes along so the client address is still known.
    return refetch(new Request(url, c.req.raw), c.env);
  };
}
