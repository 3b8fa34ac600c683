import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { getHistory, getPublicStatus, publicBadge } from '../../domain/statuspages/statuspages.service.ts';
import { parseDbId } from '../../lib/ids.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { postsJson, publicPost, publicPostsForSlug } from '../../domain/statuspages/posts.public.ts';
import { effectLabel, IMPACT_LABELS, STATE_LABELS } from '../../domain/statuspages/posts.ts';
import { BADGE_COLORS, badgeSvg, uptimeColor } from '../badges.ts';
import { atomFeed, rssFeed } from '../feeds.ts';
import { TtlCache } from '../../lib/ttl-cache.ts';
import { getCookie, setCookie } from 'hono/cookie';
import { isMemberOf } from '../../domain/accounts/accounts.service.ts';
import { resumeSession } from '../../domain/accounts/accounts.service.ts';
import { type AssetKind, publicAsset } from '../../domain/statuspages/assets.service.ts';
import { type PageGate, pageGate, passwordMatches, unlockToken, unlockValid } from '../../domain/statuspages/page-access.ts';
import { MINUTE } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { clientKey } from '../../lib/client-key.ts';
import { spend } from '../../lib/rate-limit.ts';
import { readBody } from '../middleware/form.ts';
import { isCrossSite } from '../middleware/origin.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';
import { SESSION_COOKIE } from '../middleware/session.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { renderView } from '../render.ts';
import { statusJsonText } from '../status-json.ts';
import { Rendered, sendRendered } from '../cached-response.ts';

const CACHE_SECONDS = 10;

/** What the public views of incident posts need besides the data: labels and the safe Markdown renderer. */
const postLabels = { md: renderMarkdown, stateLabels: STATE_LABELS, impactLabels: IMPACT_LABELS, effectLabel };

/** ?month=YYYY-MM when well-formed, so odd values cannot fill the cache with keys. */
function monthParam(c: Context<AppEnv>): string | undefined {
  const q = c.req.query('month') ?? '';
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(q) ? q : undefined;
}

function rendered(body: string, generatedAt: string): Rendered {
  return new Rendered(body, generatedAt);
}

function send(c: Context<AppEnv>, r: Rendered, type: string, cors = false) {
  return sendRendered(c, r, type, CACHE_SECONDS, { cors });
}

/**
 * Private pages: a password page needs its unlock cookie, a members page a session of a
 * member of the account. The guard returns the answer to send instead, or null to go on.
 * Shared by every route under /s/:slug that shows the page's content (subscribe too).
 */
export function pageGuard(deps: WebDeps) {
  const secret = deps.tokens.secretFor('status-page-unlock');
  // Who may see a page is looked up at most once per cache period, like the page itself.
  const gates = new TtlCache<PageGate | undefined>(deps.clock, CACHE_SECONDS * 1000);

  return async function guard(c: Context<AppEnv>, slug: string, kind: 'html' | 'data'): Promise<Response | null> {
    const gate = await gates.get(slug, () => pageGate(deps.db, slug));
    if (!gate || gate.access === 'public') return null;
    c.header('Cache-Control', 'private, no-store');
    c.set('privateAnswer', true);
    if (gate.access === 'password') {
      if (unlockValid(secret, gate, getCookie(c, `sp_page_${gate.slug}`))) return null;
      if (kind === 'data') return c.json({ error: { code: 'unauthenticated', message: 'This status page is protected by a password' } }, 401);
      return c.html(renderView(c, 'pages/statuspages/unlock', { slug: gate.slug, csrf: '', user: null, account: null }), 401);
    }
    const token = getCookie(c, SESSION_COOKIE);
    const claims = token ? await deps.tokens.verify(token) : null;
    const auth = claims ? await resumeSession(deps, claims.sessionId) : null;
    if (auth && auth.user.id === claims?.userId && (await isMemberOf(deps.db, gate.accountId, auth.user.id))) return null;
    if (kind === 'data') return c.json({ error: { code: 'unauthenticated', message: 'This status page is for members of its account only' } }, 401);
    return c.redirect(`/login?next=${encodeURIComponent(`/s/${gate.slug}`)}`, 302);
  };
}

/**
 * Public status pages, mounted before the session middleware: no cookies are read or set,
 * so the answers are the same for every visitor and can be cached here and by proxies.
 * Each page is built from rollups at most once per CACHE_SECONDS.
 */
export function statusPageRoutes(deps: WebDeps) {
  const cache = new TtlCache<Rendered>(deps.clock, CACHE_SECONDS * 1000);
  const unlockLimit = deps.rateLimits.limiter('page-unlock', 10, 15 * MINUTE);
  const secret = deps.tokens.secretFor('status-page-unlock');
  const guard = pageGuard(deps);

  /**
   * One public representation of a page: access check, then the cached rendering (built at
   * most once per CACHE_SECONDS for every visitor), sent with validators.
   */
  function page(kind: 'html' | 'data', type: string, key: (c: Context<AppEnv>) => string, build: (c: Context<AppEnv>, slug: string) => Promise<Rendered>, cors = false) {
    return async (c: Context<AppEnv>) => {
      const slug = c.req.param('slug') ?? '';
      // Refusals from the guard carry CORS too, so a browser script sees the 401, not a network error.
      if (cors) c.header('Access-Control-Allow-Origin', '*');
      const blocked = await guard(c, slug, kind);
      if (blocked) return blocked;
      const r = await cache.get(`${key(c)}:${slug}`, () => build(c, slug));
      return send(c, r, type, cors);
    };
  }

  /** A page's logo or favicon, behind the page's access check: a private page's images are private too. */
  function asset(kind: AssetKind) {
    return async (c: Context<AppEnv>) => {
      const slug = c.req.param('slug') ?? '';
      const blocked = await guard(c, slug, 'data');
      if (blocked) return blocked;
      const a = await publicAsset(deps.db, slug, kind);
      const etag = `"${createHash('sha1').update(a.data).digest('base64url').slice(0, 20)}"`;
      c.header('ETag', etag);
      if (!c.get('privateAnswer')) c.header('Cache-Control', 'public, max-age=300');
      c.header('X-Content-Type-Options', 'nosniff');
      if (c.req.header('if-none-match') === etag) return c.body(null, 304);
      c.header('Content-Type', a.contentType);
      return c.body(a.data);
    };
  }

  return new Hono<AppEnv>()
    .get('/s/:slug/logo', asset('logo'))
    .get('/s/:slug/favicon', asset('favicon'))
    // A reload after a wrong password (the form re-rendered at this URL) lands on the page, which asks again.
    .get('/s/:slug/unlock', (c) => c.redirect(`/s/${encodeURIComponent(c.req.param('slug'))}`, 302))
    .post('/s/:slug/unlock', async (c) => {
      const slug = c.req.param('slug');
      const gate = await pageGate(deps.db, slug);
      if (!gate || gate.access !== 'password') return c.redirect(`/s/${encodeURIComponent(slug)}`, 303);
      if (isCrossSite(c, deps.config.baseUrl)) return c.text('Cross-site request refused', 403);
      const key = `${slug}:${clientKey(resolveClientIp(c, deps.config.trustProxy))}`;
      // Counted before the password is checked, so parallel guesses cannot all slip under the
      // limit; a right password takes its count back, so only failures count.
      await spend([unlockLimit, key]);
      const form = await readBody(c);
      if (!(await passwordMatches(gate, form.password ?? ''))) {
        c.header('Cache-Control', 'private, no-store');
        return c.html(renderView(c, 'pages/statuspages/unlock', { slug, error: 'That password is not right.', fields: { password: 'That password is not right.' }, csrf: '', user: null, account: null }), 401);
      }
      await unlockLimit.undo(key);
      setCookie(c, `sp_page_${gate.slug}`, unlockToken(secret, gate), {
        path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.config.baseUrl.startsWith('https:'), maxAge: 30 * 24 * 3600,
      });
      return c.redirect(`/s/${gate.slug}`, 303);
    })
    .get('/s/:slug', page('html', 'text/html; charset=UTF-8', () => 'html', async (c, slug) => {
      const s = await getPublicStatus(deps, slug);
      const posts = await publicPostsForSlug(deps.db, slug, deps.clock.now());
      const canonical = `${deps.config.baseUrl}/s/${s.page.slug}`;
      return rendered(renderView(c, 'pages/statuspages/show', { s, posts, ...postLabels, csrf: '', user: null, account: null, canonical }), s.generated_at);
    }))
    // One published incident or maintenance post with its whole timeline and post-mortem.
    .get('/s/:slug/incidents/:id', page('html', 'text/html; charset=UTF-8', (c) => `incident:${parseDbId(c.req.param('id'))}`, async (c, slug) => {
      const { page: p, post } = await publicPost(deps.db, slug, parseDbId(c.req.param('id')), deps.clock.now());
      const canonical = `${deps.config.baseUrl}/s/${p.slug}/incidents/${post.id}`;
      return rendered(renderView(c, 'pages/statuspages/incident', { page: p, post, ...postLabels, csrf: '', user: null, account: null, canonical }), new Date(deps.clock.now()).toISOString());
    }))
    .get('/s/:slug/history', page('html', 'text/html; charset=UTF-8', (c) => `history:${monthParam(c) ?? ''}`, async (c, slug) => {
      const h = await getHistory(deps, slug, monthParam(c));
      return rendered(renderView(c, 'pages/statuspages/history', { h, csrf: '', user: null, account: null }), new Date(deps.clock.now()).toISOString());
    }))
    .get('/s/:slug/feed.atom', page('data', 'application/atom+xml; charset=UTF-8', () => 'atom', async (_c, slug) => {
      const s = await getPublicStatus(deps, slug);
      const posts = await publicPostsForSlug(deps.db, slug, deps.clock.now());
      const pageUrl = `${deps.config.baseUrl}/s/${s.page.slug}`;
      return rendered(atomFeed(s, posts, pageUrl, `${pageUrl}/feed.atom`), s.generated_at);
    }))
    .get('/s/:slug/feed.rss', page('data', 'application/rss+xml; charset=UTF-8', () => 'rss', async (_c, slug) => {
      const s = await getPublicStatus(deps, slug);
      const posts = await publicPostsForSlug(deps.db, slug, deps.clock.now());
      return rendered(rssFeed(s, posts, `${deps.config.baseUrl}/s/${s.page.slug}`), s.generated_at);
    }))
    .get('/s/:slug/api', page('data', 'application/json; charset=UTF-8', () => 'json', async (_c, slug) => {
        const s = await getPublicStatus(deps, slug);
        const posts = postsJson(await publicPostsForSlug(deps.db, slug, deps.clock.now()), deps.config.baseUrl, s.page.slug);
        return rendered(statusJsonText(s, posts), s.generated_at);
      }, true))
    // Shields-style badges of public monitors, for READMEs and dashboards.
    .get('/badge/:id/:kind{status\\.svg|uptime\\.svg}', async (c) => {
      const id = parseDbId(c.req.param('id'));
      const kind = c.req.param('kind');
      const period = (['24h', '7d', '30d', '90d'] as const).find((p) => p === c.req.query('period')) ?? '30d';
      const key = `badge:${id}:${kind}:${period}`;
      let r: Rendered;
      try {
        r = await cache.get(key, async () => {
          const b = await publicBadge(deps, id);
          const svg =
            kind === 'status.svg'
              ? badgeSvg(b.name, b.status, BADGE_COLORS[b.status] ?? '#64748b')
              : badgeSvg(`uptime ${period}`, b.uptime[period] === null ? 'no data' : `${b.uptime[period]!.toFixed(2)}%`, uptimeColor(b.uptime[period]));
          return rendered(svg, new Date(deps.clock.now()).toISOString());
        });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        // Still an image, so an embedded <img> shows "not found" instead of breaking; the same
        // answer for an unknown id and a private monitor, so nothing leaks.
        c.header('Cache-Control', 'public, max-age=60');
        c.header('Access-Control-Allow-Origin', '*');
        return c.body(badgeSvg('badge', 'not found', '#64748b'), 404, { 'Content-Type': 'image/svg+xml; charset=UTF-8' });
      }
      return send(c, r, 'image/svg+xml; charset=UTF-8', true);
    });
}
