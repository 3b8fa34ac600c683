import type { MiddlewareHandler } from 'hono';
import { pageForDomain } from '../../domain/statuspages/page-access.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';
import type { AppEnv, WebDeps } from '../deps.ts';

const PATHS: Record<string, string> = { '/': '', '/api': '/api', '/history': '/history', '/feed.atom': '/feed.atom', '/feed.rss': '/feed.rss', '/unlock': '/unlock' };

/**
 * A status page on its own host name: a request whose Host is a page's custom domain is
 * answered as /s/<slug>… of that page. Other paths (static files) pass through unchanged.
 */
export function customDomains(deps: WebDeps, refetch: (req: Request) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  const ownHost = new URL(deps.config.baseUrl).hostname.toLowerCase();
  const lookups = new TtlCache<string | undefined>(deps.clock, 30_000, 10_000);
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').toLowerCase();
    const suffix = PATHS[c.req.path];
    if (!host || host === ownHost || host === 'localhost' || suffix === undefined) return next();
    const slug = await lookups.get(host, () => pageForDomain(deps.db, host));
    if (!slug) return next();
    const url = new URL(c.req.url);
    url.pathname = `/s/${slug}${suffix}`;
    return refetch(new Request(url, c.req.raw));
  };
}
