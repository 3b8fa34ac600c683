import { describe, expect, it } from 'vitest';
import { Client, createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

/** Routes anyone may use without a session; everything else must refuse. */
const PUBLIC = new Set(['/', '/healthz', '/s/:slug', '/s/:slug/api', '/signup', '/login', '/logout', '/static/:file', '/push/:token', '/push/:token/fail', '/push/:token/start', '/s/:slug/feed.atom', '/s/:slug/feed.rss', '/s/:slug/history', '/s/:slug/unlock', '/s/:slug/subscribe', '/s/:slug/subscribe/confirm', '/s/:slug/unsubscribe', '/badge/:id/:kind{status\\.svg|uptime\\.svg}', '/s/:slug/logo', '/s/:slug/favicon', '/s/:slug/incidents/:id', '/api/v1/openapi.json', '/docs/api', '/invite/:token', '/webhooks/stripe', '/verify-email/:token', '/forgot-password', '/reset-password/:token', '/confirm-email/:token']);

describe.each(testDbKinds())('web security on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('requires a session on every route that is not explicitly public', async () => {
    const routes = ctx.built.app.routes.filter((r) => r.method !== 'ALL');
    const privateRoutes = routes.filter((r) => !PUBLIC.has(r.path));
    expect(privateRoutes.length).toBeGreaterThan(10);
    const anon = new Client(ctx.built.app);
    await anon.ensureCsrf();
    for (const r of privateRoutes) {
      const path = r.path.replace(':id', '1').replace(':action{pause|resume|check}', 'pause');
      // The API authenticates with keys, not sessions: no key is a 401 JSON error, never a redirect.
      if (r.path.startsWith('/api/')) {
        const res = await anon.raw(path, { method: r.method, headers: { 'content-type': 'application/json', 'x-csrf-token': anon.csrf }, body: r.method === 'GET' ? undefined : '{}' });
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
        expect((await res.json()).error.code, `${r.method} ${r.path}`).toBe('unauthenticated');
        continue;
      }
      const res = r.method === 'GET' ? await anon.get(path) : await anon.post(path, {});
      expect([302, 401], `${r.method} ${r.path}`).toContain(res.status);
      if (r.method === 'GET') expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
    }
  });

  it('an htmx request without a session is told to go to the login page', async () => {
    const res = await ctx.built.app.request('/dashboard/monitors', { headers: { 'hx-request': 'true' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('hx-redirect')).toMatch(/^\/login/);
  });

  describe('CSRF', () => {
    it('rejects a form post without a token', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const res = await owner.raw('/monitors', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=x&url=http://a.b&interval_seconds=60',
      });
      expect(res.status).toBe(403);
      expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(0);
    });

    it('rejects a post with no Content-Type at all', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const id = await createMonitorVia(owner);
      const res = await owner.raw(`/monitors/${id}/delete`, { method: 'POST' });
      expect(res.status).toBe(403);
      expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(1);
    });

    it('rejects an odd-cased form Content-Type without a token, and reads the token when present', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const body = 'name=x&url=http://a.b&interval_seconds=60';
      const bad = await owner.raw('/monitors', { method: 'POST', headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded' }, body });
      expect(bad.status).toBe(403);
      const good = await owner.raw('/monitors', {
        method: 'POST',
        headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded' },
        body: `${body}&_csrf=${encodeURIComponent(owner.csrf)}`,
      });
      expect(good.status).toBe(303);
    });

    it('rejects a token from another browser and a cross-site Origin', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const other = await persona(ctx.built.app, 'other');
      const res = await owner.raw('/monitors', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': other.csrf },
        body: 'name=x&url=http://a.b&interval_seconds=60',
      });
      expect(res.status).toBe(403);
      const cross = await owner.post('/monitors', { name: 'x', url: 'http://a.b', interval_seconds: '60' }, { origin: 'https://evil.example' });
      expect(cross.status).toBe(403);
    });

    it('accepts the token in the X-CSRF-Token header (htmx requests)', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const id = await createMonitorVia(owner);
      const res = await owner.raw(`/monitors/${id}/pause`, { method: 'POST', headers: { 'x-csrf-token': owner.csrf, 'hx-request': 'true' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('hx-redirect')).toBe(`/monitors/${id}`);
    });

    it('protects the public login form too', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const res = await ctx.built.app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=${encodeURIComponent(owner.email)}&password=${owner.password}`,
      });
      expect(res.status).toBe(403);
    });
  });

  describe('tenant isolation', () => {
    it('another account’s monitor answers 404 to view, edit, delete, pause, resume and check-now, and is unchanged', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      const outsider = await persona(ctx.built.app, 'outsider');
      const id = await createMonitorVia(owner, { name: 'Secret API', url: 'http://127.0.0.1:9/secret' });
      const before = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

      for (const path of [`/monitors/${id}`, `/monitors/${id}/edit`, `/monitors/${id}/live`]) {
        const res = await outsider.get(path);
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toContain('Secret API');
      }
      for (const path of [`/monitors/${id}/edit`, `/monitors/${id}/delete`, `/monitors/${id}/pause`, `/monitors/${id}/resume`, `/monitors/${id}/check`]) {
        const res = await outsider.post(path, { name: 'pwned', url: 'http://evil.example', interval_seconds: '60' });
        expect(res.status, path).toBe(404);
      }
      const after = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(after).toEqual(before);
      expect(await (await outsider.get('/dashboard')).text()).not.toContain('Secret API');
    });

    it('non-numeric and unknown ids are 404, never 500', async () => {
      const owner = await persona(ctx.built.app, 'owner');
      for (const path of ['/monitors/abc', '/monitors/99999999', '/monitors/1e3', '/monitors/99999999999999999999']) {
        expect((await owner.get(path)).status, path).toBe(404);
      }
    });
  });

  it('sets security headers and never serves a CDN script', async () => {
    const res = await new Client(ctx.built.app).get('/login');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain('<script src="/static/htmx.min.js"');
    expect(html).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    const js = await ctx.built.app.request('/static/htmx.min.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    const traversal = await ctx.built.app.request('/static/%2e%2e%2fpackage.json');
    expect(traversal.status).toBe(404);
    expect(await traversal.text()).not.toContain('dependencies');
  });
});
