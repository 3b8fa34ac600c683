import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { buildApp, useAppPerTest, createMonitorVia, persona } from '../helpers/app.ts';
import { openTestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { barDays } from '../helpers/pages.ts';
import { settingsPath } from '../helpers/pages.ts';

describe.each(testDbKinds())('public status page on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function setup() {
    const owner = await persona(ctx.built.app, 'owner');
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const api = await createMonitorVia(owner, { name: 'API' });
    const web = await createMonitorVia(owner, { name: 'Website <script>alert(1)</script>' });
    const hidden = await createMonitorVia(owner, { name: 'Internal DB', is_public: 'false' });
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      await recordResult(ctx.t.db, api, { ok: false, statusCode: 500, responseMs: 10, error: 'Unexpected status 500' }, now - 10_000 + i, TEST_CHECKS);
    }
    await recordResult(ctx.t.db, web, { ok: true, statusCode: 200, responseMs: 10, error: null }, now - 5000, TEST_CHECKS);
    await recordResult(ctx.t.db, hidden, { ok: true, statusCode: 200, responseMs: 10, error: null }, now - 5000, TEST_CHECKS);
    return { owner, slug, api, web, hidden };
  }

  it('the JSON has the documented shape, CORS, short caching, and no private monitors', async () => {
    const { slug, api, web } = await setup();
    const res = await ctx.built.app.request(`/s/${slug}/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['components', 'generated_at', 'groups', 'incidents', 'maintenance', 'monitors', 'page', 'posts', 'status']);
    expect(body.page).toEqual({ slug, title: 'owner Org' });
    expect(body.status).toBe('partial_outage');
    expect(body.monitors.map((m: { id: number }) => m.id).sort()).toEqual([api, web].sort());
    const apiJson = body.monitors.find((m: { id: number }) => m.id === api);
    expect(apiJson.status).toBe('down');
    expect(Object.keys(apiJson.uptime)).toEqual(['24h', '7d', '30d', '90d']);
    expect(apiJson.uptime['24h']).toBe(0);
    expect(Object.keys(apiJson).sort()).toEqual(['id', 'name', 'status', 'uptime']);
    // The daily bars are on the monitor's component.
    const { days } = body.components.find((c: { monitor_id: number }) => c.monitor_id === api);
    expect(days).toHaveLength(90);
    expect(days[0].date < days[89].date).toBe(true);
    expect(days[89]).toEqual({ date: new Date().toISOString().slice(0, 10), uptime: 0 });
    expect(days[0].uptime).toBeNull();
    expect(body.incidents).toHaveLength(1);
    expect(Object.keys(body.incidents[0]).sort()).toEqual(['id', 'monitor_id', 'resolved_at', 'started_at', 'title']);
    expect(body.incidents[0]).toMatchObject({ monitor_id: api, resolved_at: null, title: 'API outage' });
    expect(JSON.stringify(body)).not.toContain('Internal DB');
  });

  it('the HTML page renders without JavaScript, escapes names, and hides private monitors', async () => {
    const { slug } = await setup();
    const res = await ctx.built.app.request(`/s/${slug}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Partial outage');
    expect(html).toContain('Website &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('Internal DB');
    // An outage shows on its component at once; the incident history lists only what the team published.
    expect(html).toMatch(/<span class="font-medium">API<\/span>.*?>Down<\/span>/s);
    expect(html).toContain('Some components have problems (see above); no incident has been posted yet.');
    expect(html).not.toContain('No incidents in the last 14 days.');
    expect(barDays(html)).toBe(180);
  });

  it('all up is operational; an account with only down monitors is a major outage', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const id = await createMonitorVia(owner);
    await recordResult(ctx.t.db, id, { ok: true, statusCode: 200, responseMs: 1, error: null }, Date.now(), TEST_CHECKS);
    expect((await (await ctx.built.app.request(`/s/${slug}/api`)).json()).status).toBe('operational');
    for (let i = 0; i < 3; i++) await recordResult(ctx.t.db, id, { ok: false, statusCode: 500, responseMs: 1, error: 'x' }, Date.now() + i + 1, TEST_CHECKS);
    // Within the cache window visitors get the same answer; after it, the new state.
    expect((await (await ctx.built.app.request(`/s/${slug}/api`)).json()).status).toBe('operational');
    ctx.built.clock.advance(11_000);
    expect((await (await ctx.built.app.request(`/s/${slug}/api`)).json()).status).toBe('major_outage');
  });

  it('answers with validators and 304, and sets no cookies on public pages', async () => {
    const { slug } = await setup();
    for (const path of [`/s/${slug}`, `/s/${slug}/api`]) {
      const first = await ctx.built.app.request(path);
      expect(first.status).toBe(200);
      expect(first.headers.getSetCookie()).toEqual([]);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect(first.headers.get('last-modified')).toMatch(/GMT$/);
      const again = await ctx.built.app.request(path, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('answers brotli or gzip when accepted, the same bytes as the plain answer, and varies on it', async () => {
    const { slug } = await setup();
    const plain = await ctx.built.app.request(`/s/${slug}`);
    const text = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    for (const [accept, enc, decode] of [
      ['gzip, deflate', 'gzip', gunzipSync],
      ['gzip;q=1.0, br', 'br', brotliDecompressSync],
      ['br;q=0, gzip', 'gzip', gunzipSync],
    ] as const) {
      const res = await ctx.built.app.request(`/s/${slug}`, { headers: { 'accept-encoding': accept } });
      expect(res.headers.get('content-encoding')).toBe(enc);
      expect(res.headers.get('etag')).toBe(plain.headers.get('etag'));
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBeLessThan(Buffer.byteLength(text) / 2);
      expect(decode(bytes).toString()).toBe(text);
    }
    const none = await ctx.built.app.request(`/s/${slug}/api`, { headers: { 'accept-encoding': 'identity' } });
    expect(none.headers.get('content-encoding')).toBeNull();
    expect((await none.json()).page.slug).toBe(slug);
  });

  it('cached answers carry the security headers, also on 304, and the JSON and badges allow any origin', async () => {
    const { slug, api } = await setup();
    const first = await ctx.built.app.request(`/s/${slug}`);
    const again = await ctx.built.app.request(`/s/${slug}`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
    for (const res of [first, again]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors *");
      expect(res.headers.get('x-frame-options')).toBeNull(); // owners embed their pages
      expect(res.headers.get('cache-control')).toBe('public, max-age=10');
    }
    expect(first.headers.get('access-control-allow-origin')).toBeNull();
    const json = await ctx.built.app.request(`/s/${slug}/api`);
    expect(json.headers.get('access-control-allow-origin')).toBe('*');
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    const badge = await ctx.built.app.request(`/badge/${api}/status.svg`);
    expect(badge.headers.get('access-control-allow-origin')).toBe('*');
    expect(badge.headers.get('content-type')).toBe('image/svg+xml; charset=UTF-8');
    // The dashboard may never be framed.
    expect((await ctx.built.app.request('/login')).headers.get('x-frame-options')).toBe('DENY');
  });

  it('has a title, description, canonical link, OpenGraph/Twitter tags and a self-refresh', async () => {
    const { slug } = await setup();
    const html = await (await ctx.built.app.request(`/s/${slug}`)).text();
    expect(html).toContain('<title>owner Org status · StatusPing</title>');
    expect(html).toContain(`<link rel="canonical" href="http://localhost:3000/s/${slug}">`);
    expect(html).toContain('<meta property="og:title" content="owner Org: Partial outage">');
    expect(html).toContain('<meta name="twitter:card" content="summary">');
    expect(html).toContain(`hx-get="/s/${slug}" hx-select="#status-body"`);
  });

  it('shows a monthly uptime calendar per public component', async () => {
    const { slug } = await setup();
    const month = new Date(ctx.built.clock.now()).toISOString().slice(0, 7);
    const res = await ctx.built.app.request(`/s/${slug}/history`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Uptime history · ${month}`);
    expect((html.match(/data-testid="calendar"/g) ?? []).length).toBe(2);
    expect(html).not.toContain('Internal DB');
    expect(html).toMatch(new RegExp(`title="${new Date(ctx.built.clock.now()).toISOString().slice(0, 10)}: 0\\.00%"`));
    const older = await (await ctx.built.app.request(`/s/${slug}/history?month=2020-01`)).text();
    expect(older).toContain('Uptime history · 2020-01');
    expect(older).toContain('title="2020-01-31: no data"');
    expect((await ctx.built.app.request(`/s/${slug}/history?month=2999-01`)).status).toBe(200);
  });

  it('the owner customizes the page: title, description, 30-day bars, theme, footer, powered-by', async () => {
    const { owner, slug } = await setup();
    const form = await (await owner.get(await settingsPath(owner))).text();
    expect(form).toContain('for="f-title">Title</label>');
    const saved = await owner.post(await settingsPath(owner), {
      title: 'Acme Cloud', description: 'Live status of Acme services', footer_text: 'Questions? support@acme.test',
      bar_days: '30', accent: '#ff6600', theme: 'dark', hide_powered_by: 'true',
    });
    expect(saved.status).toBe(303);
    ctx.built.clock.advance(11_000);
    const html = await (await ctx.built.app.request(`/s/${slug}`)).text();
    expect(html).toContain('<html lang="en" class="dark">');
    expect(html).toContain('<h1 class="text-2xl font-bold">Acme Cloud</h1>');
    expect(html).toContain('Live status of Acme services');
    expect(html).toContain('Questions? support@acme.test');
    expect(html).toContain('border-color: #ff6600');
    expect(html).not.toContain('Powered by StatusPing');
    expect(barDays(html)).toBe(60);
    const bad = await owner.post(await settingsPath(owner), { title: '', bar_days: '45', accent: 'red', theme: 'neon' });
    expect(bad.status).toBe(422);
    const text = await bad.text();
    expect(text).toContain('Give the page a title');
    expect(text).toContain('Choose 30, 60 or 90 days');
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const free = await persona(saas.app, 'free');
    const gated = await free.post(await settingsPath(free), { title: 'x', bar_days: '90', accent: '#000000', theme: 'auto', hide_powered_by: 'true' });
    expect(gated.status).toBe(402);
  });

  it('serves Atom and RSS feeds (of published posts, not raw outages)', async () => {
    const { slug } = await setup();
    const atom = await ctx.built.app.request(`/s/${slug}/feed.atom`);
    expect(atom.headers.get('content-type')).toContain('application/atom+xml');
    const xml = await atom.text();
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    // Raw monitor outages are not listed; the team's published posts are (tests/web/posts.test.ts).
    expect(xml).not.toContain('API outage');
    const rss = await (await ctx.built.app.request(`/s/${slug}/feed.rss`)).text();
    expect(rss).toContain('<rss version="2.0">');
    expect(rss).not.toContain('API outage');
    expect(rss).not.toContain('Internal DB');
  });

  it('serves status and uptime badges for public monitors only', async () => {
    const { api, hidden } = await setup();
    const status = await ctx.built.app.request(`/badge/${api}/status.svg`);
    expect(status.status).toBe(200);
    expect(status.headers.get('content-type')).toContain('image/svg+xml');
    expect(status.headers.get('cache-control')).toMatch(/max-age=/);
    const svg = await status.text();
    expect(svg).toContain('aria-label="API: down"');
    expect(svg).toContain('#dc2626');
    const uptime = await (await ctx.built.app.request(`/badge/${api}/uptime.svg?period=24h`)).text();
    expect(uptime).toContain('aria-label="uptime 24h: 0.00%"');
    expect((await ctx.built.app.request(`/badge/${hidden}/status.svg`)).status).toBe(404);
    expect((await ctx.built.app.request('/badge/99999/status.svg')).status).toBe(404);
  });

  it('an unknown slug is a proper 404 page, and a JSON 404 on the API', async () => {
    const page = await ctx.built.app.request('/s/no-such-page');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Status page not found');
    const api = await ctx.built.app.request('/s/no-such-page/api');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: 'not_found', message: 'Status page not found' } });
  });

  it('/healthz answers 200 while the database answers, 503 when it does not', async () => {
    const ok = await ctx.built.app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok' });
    const other = await openTestDb(kind);
    const broken = buildApp(other.db).app;
    await other.close();
    const down = await broken.request('/healthz');
    expect(down.status).toBe(503);
  });
});
