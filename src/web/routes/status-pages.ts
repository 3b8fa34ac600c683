import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { getHistory, getPublicStatus, publicBadge, toPublicJson } from '../../domain/statuspages/statuspages.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import { BADGE_COLORS, badgeSvg, uptimeColor } from '../badges.ts';
import { atomFeed, rssFeed } from '../feeds.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { renderView } from '../render.ts';

interface Rendered {
  body: string;
  etag: string;
  lastModified: string;
}

const CACHE_SECONDS = 10;

function rendered(body: string, generatedAt: string): Rendered {
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`, lastModified: new Date(generatedAt).toUTCString() };
}

/** Sends a cached rendering with validators; a matching If-None-Match gets 304. */
function send(c: Context<AppEnv>, r: Rendered, type: string) {
  c.header('ETag', r.etag);
  c.header('Last-Modified', r.lastModified);
  c.header('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
  if (c.req.header('if-none-match') === r.etag) return c.body(null, 304);
  c.header('Content-Type', type);
  return c.body(r.body);
}

/**
 * Public status pages, mounted before the session middleware: no cookies are read or set,
 * so the answers are the same for every visitor and can be cached here and by proxies.
 * Each page is built from rollups at most once per CACHE_SECONDS.
 */
export function statusPageRoutes(deps: WebDeps) {
  const cache = new TtlCache<Rendered>(deps.clock, CACHE_SECONDS * 1000);
  return new Hono<AppEnv>()
    .get('/s/:slug', async (c) => {
      const slug = c.req.param('slug');
      const r = await cache.get(`html:${slug}`, async () => {
        const s = await getPublicStatus(deps, slug);
        const canonical = `${deps.config.baseUrl}/s/${s.page.slug}`;
        return rendered(renderView(c, 'pages/statuspages/show', { s, csrf: '', user: null, account: null, canonical }), s.generated_at);
      });
      return send(c, r, 'text/html; charset=UTF-8');
    })
    .get('/s/:slug/history', async (c) => {
      const slug = c.req.param('slug');
      const month = c.req.query('month');
      const r = await cache.get(`history:${slug}:${month ?? ''}`, async () => {
        const h = await getHistory(deps, slug, month);
        return rendered(renderView(c, 'pages/statuspages/history', { h, csrf: '', user: null, account: null }), new Date(deps.clock.now()).toISOString());
      });
      return send(c, r, 'text/html; charset=UTF-8');
    })
    .get('/s/:slug/feed.atom', async (c) => {
      const slug = c.req.param('slug');
      const r = await cache.get(`atom:${slug}`, async () => {
        const s = await getPublicStatus(deps, slug);
        const pageUrl = `${deps.config.baseUrl}/s/${s.page.slug}`;
        return rendered(atomFeed(s, pageUrl, `${pageUrl}/feed.atom`), s.generated_at);
      });
      return send(c, r, 'application/atom+xml; charset=UTF-8');
    })
    .get('/s/:slug/feed.rss', async (c) => {
      const slug = c.req.param('slug');
      const r = await cache.get(`rss:${slug}`, async () => {
        const s = await getPublicStatus(deps, slug);
        return rendered(rssFeed(s, `${deps.config.baseUrl}/s/${s.page.slug}`), s.generated_at);
      });
      return send(c, r, 'application/rss+xml; charset=UTF-8');
    })
    // Shields-style badges of public monitors, for READMEs and dashboards.
    .get('/badge/:id/:kind{status\\.svg|uptime\\.svg}', async (c) => {
      const id = parseDbId(c.req.param('id'));
      const kind = c.req.param('kind');
      const period = (['24h', '7d', '30d', '90d'] as const).find((p) => p === c.req.query('period')) ?? '30d';
      const r = await cache.get(`badge:${id}:${kind}:${period}`, async () => {
        const b = await publicBadge(deps, id);
        const svg =
          kind === 'status.svg'
            ? badgeSvg(b.name, b.status, BADGE_COLORS[b.status] ?? '#64748b')
            : badgeSvg(`uptime ${period}`, b.uptime[period] === null ? 'no data' : `${b.uptime[period]!.toFixed(2)}%`, uptimeColor(b.uptime[period]));
        return rendered(svg, new Date(deps.clock.now()).toISOString());
      });
      c.header('Access-Control-Allow-Origin', '*');
      return send(c, r, 'image/svg+xml; charset=UTF-8');
    })
    .get('/s/:slug/api', async (c) => {
      const slug = c.req.param('slug');
      const r = await cache.get(`json:${slug}`, async () => {
        const s = await getPublicStatus(deps, slug);
        return rendered(JSON.stringify(toPublicJson(s)), s.generated_at);
      });
      c.header('Access-Control-Allow-Origin', '*');
      return send(c, r, 'application/json; charset=UTF-8');
    });
}
