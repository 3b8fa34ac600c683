import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { getHistory, getPublicStatus, publicBadge, toPublicJson } from '../../domain/statuspages/statuspages.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import { BADGE_COLORS, badgeSvg, uptimeColor } from '../badges.ts';
import { atomFeed, rssFeed } from '../feeds.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';
import { getCookie, setCookie } from 'hono/cookie';
import { isMember } from '../../domain/accounts/accounts.repository.ts';
import { resumeSession } from '../../domain/accounts/accounts.service.ts';
import { type PageGate, pageGate, passwordMatches, unlockToken, unlockValid } from '../../domain/statuspages/page-access.ts';
import { MINUTE } from '../../lib/clock.ts';
import { RateLimitError } from '../../lib/errors.ts';
import { RateLimiter } from '../../lib/rate-limit.ts';
import { readBody } from '../middleware/form.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';
import { SESSION_COOKIE } from '../middleware/session.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { renderView } from '../render.ts';

interface Rendered {
  body: string;
  etag: string;
  lastModified: string;
}

const CACHE_SECONDS = 10;

/** ?month=YYYY-MM when well-formed, so odd values cannot fill the cache with keys. */
function monthParam(c: Context<AppEnv>): string | undefined {
  const q = c.req.query('month') ?? '';
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(q) ? q : undefined;
}

function rendered(body: string, generatedAt: string): Rendered {
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`, lastModified: new Date(generatedAt).toUTCString() };
}

/** Sends a cached rendering with validators; a matching If-None-Match gets 304. */
function send(c: Context<AppEnv>, r: Rendered, type: string) {
  c.header('ETag', r.etag);
  c.header('Last-Modified', r.lastModified);
  // A private page may still be held in our own cache, never in a shared one.
  if (!c.res.headers.get('Cache-Control')?.startsWith('private')) c.header('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
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
  const unlockLimit = new RateLimiter(deps.clock, 10, 15 * MINUTE);
  const secret = deps.tokens.secretFor('status-page-unlock');

  /**
   * Private pages: a password page needs its unlock cookie, a members page a session of a
   * member of the account. Returns the answer to send instead, or null to go on.
   */
  // Who may see a page is looked up at most once per cache period, like the page itself.
  const gates = new TtlCache<PageGate | undefined>(deps.clock, CACHE_SECONDS * 1000);

  async function guard(c: Context<AppEnv>, slug: string, kind: 'html' | 'data'): Promise<Response | null> {
    const gate = await gates.get(slug, () => pageGate(deps.db, slug));
    if (!gate || gate.access === 'public') return null;
    c.header('Cache-Control', 'private, no-store');
    if (gate.access === 'password') {
      if (unlockValid(secret, gate, getCookie(c, `sp_page_${gate.slug}`))) return null;
      if (kind === 'data') return c.json({ error: { code: 'unauthenticated', message: 'This status page is protected by a password' } }, 401);
      return c.html(renderView(c, 'pages/statuspages/unlock', { slug: gate.slug, csrf: '', user: null, account: null }), 401);
    }
    const token = getCookie(c, SESSION_COOKIE);
    const claims = token ? await deps.tokens.verify(token) : null;
    const auth = claims ? await resumeSession(deps, claims.sessionId) : null;
    if (auth && auth.user.id === claims?.userId && (await isMember(deps.db, gate.accountId, auth.user.id))) return null;
    if (kind === 'data') return c.json({ error: { code: 'unauthenticated', message: 'This status page is for members of its account only' } }, 401);
    return c.redirect(`/login?next=${encodeURIComponent(`/s/${gate.slug}`)}`, 302);
  }

  /**
   * One public representation of a page: access check, then the cached rendering (built at
   * most once per CACHE_SECONDS for every visitor), sent with validators.
   */
  function page(kind: 'html' | 'data', type: string, key: (c: Context<AppEnv>) => string, build: (c: Context<AppEnv>, slug: string) => Promise<Rendered>) {
    return async (c: Context<AppEnv>) => {
      const slug = c.req.param('slug') ?? '';
      const blocked = await guard(c, slug, kind);
      if (blocked) return blocked;
      const r = await cache.get(`${key(c)}:${slug}`, () => build(c, slug));
      return send(c, r, type);
    };
  }

  return new Hono<AppEnv>()
    .post('/s/:slug/unlock', async (c) => {
      const slug = c.req.param('slug');
      const gate = await pageGate(deps.db, slug);
      if (!gate || gate.access !== 'password') return c.redirect(`/s/${encodeURIComponent(slug)}`, 303);
      // CSRF: a browser's cross-site POST carries a foreign Origin.
      const origin = c.req.header('origin');
      if (origin) {
        let sameSite = false;
        try {
          const o = new URL(origin);
          sameSite = o.host === c.req.header('host') || o.origin === new URL(deps.config.baseUrl).origin;
        } catch {
          sameSite = false;
        }
        if (!sameSite) return c.text('Cross-site request refused', 403);
      }
      if (Number(c.req.header('content-length') ?? 0) > 4096) return c.text('Request body too large', 413);
      const key = `${slug}:${resolveClientIp(c, deps.config.trustProxy)}`;
      const wait = unlockLimit.retryAfter(key);
      if (wait > 0) throw new RateLimitError(wait);
      const form = await readBody(c);
      if (!(await passwordMatches(gate, form.password ?? ''))) {
        unlockLimit.hit(key); // only failures count
        c.header('Cache-Control', 'private, no-store');
        return c.html(renderView(c, 'pages/statuspages/unlock', { slug, error: 'That password is not right.', csrf: '', user: null, account: null }), 401);
      }
      setCookie(c, `sp_page_${gate.slug}`, unlockToken(secret, gate), {
        path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.config.baseUrl.startsWith('https:'), maxAge: 30 * 24 * 3600,
      });
      return c.redirect(`/s/${gate.slug}`, 303);
    })
    .get('/s/:slug', page('html', 'text/html; charset=UTF-8', () => 'html', async (c, slug) => {
      const s = await getPublicStatus(deps, slug);
      const canonical = `${deps.config.baseUrl}/s/${s.page.slug}`;
      return rendered(renderView(c, 'pages/statuspages/show', { s, csrf: '', user: null, account: null, canonical }), s.generated_at);
    }))
    .get('/s/:slug/history', page('html', 'text/html; charset=UTF-8', (c) => `history:${monthParam(c) ?? ''}`, async (c, slug) => {
      const h = await getHistory(deps, slug, monthParam(c));
      return rendered(renderView(c, 'pages/statuspages/history', { h, csrf: '', user: null, account: null }), new Date(deps.clock.now()).toISOString());
    }))
    .get('/s/:slug/feed.atom', page('data', 'application/atom+xml; charset=UTF-8', () => 'atom', async (_c, slug) => {
      const s = await getPublicStatus(deps, slug);
      const pageUrl = `${deps.config.baseUrl}/s/${s.page.slug}`;
      return rendered(atomFeed(s, pageUrl, `${pageUrl}/feed.atom`), s.generated_at);
    }))
    .get('/s/:slug/feed.rss', page('data', 'application/rss+xml; charset=UTF-8', () => 'rss', async (_c, slug) => {
      const s = await getPublicStatus(deps, slug);
      return rendered(rssFeed(s, `${deps.config.baseUrl}/s/${s.page.slug}`), s.generated_at);
    }))
    .get('/s/:slug/api', async (c) => {
      c.header('Access-Control-Allow-Origin', '*');
      return page('data', 'application/json; charset=UTF-8', () => 'json', async (_c, slug) => {
        const s = await getPublicStatus(deps, slug);
        return rendered(JSON.stringify(toPublicJson(s)), s.generated_at);
      })(c);
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
    });
}
