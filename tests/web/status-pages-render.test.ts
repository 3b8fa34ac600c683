import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { type Client, createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { barDays, settingsPath } from '../helpers/pages.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(testDbKinds())('public rendering of page components on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function setup() {
    const owner = await persona(ctx.built.app, 'owner');
    const path = await settingsPath(owner);
    const pageId = Number(path.split('/').pop());
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').where('id', '=', pageId).executeTakeFirstOrThrow()).slug;
    return { owner, pageId, slug };
  }
  const manual = (c: Client, pageId: number, name: string, status: string, extra: Record<string, string> = {}) =>
    c.post(`/pages/${pageId}/components/manual`, { name, status, ...extra });
  const fresh = () => ctx.built.clock.advance(11_000);
  const html = async (slug: string) => (await ctx.built.app.request(`/s/${slug}`)).text();
  const banner = (page: string) => /data-testid="overall" role="status">([^<]*)</.exec(page)?.[1];
  const groupId = async (pageId: number, name: string) =>
    (await ctx.t.db.selectFrom('page_groups').select('id').where('page_id', '=', pageId).where('name', '=', name).executeTakeFirstOrThrow()).id;

  it('renders ungrouped components first, then groups in their order, each in component order (raw HTML)', async () => {
    const { owner, pageId, slug } = await setup();
    await owner.post(`/pages/${pageId}/groups`, { name: 'Group Alpha' });
    await owner.post(`/pages/${pageId}/groups`, { name: 'Group Beta' });
    const alpha = await groupId(pageId, 'Group Alpha');
    const beta = await groupId(pageId, 'Group Beta');
    await manual(owner, pageId, 'Comp B1', 'operational', { group_id: String(beta) });
    await manual(owner, pageId, 'Comp A1', 'operational', { group_id: String(alpha) });
    await manual(owner, pageId, 'Comp A2', 'operational', { group_id: String(alpha) });
    await manual(owner, pageId, 'Comp Loose', 'operational');
    const order = (page: string, names: string[]) => names.map((n) => page.indexOf(n));
    const ascending = (xs: number[]) => xs.every((x, i) => x >= 0 && (i === 0 || x > xs[i - 1]!));
    expect(ascending(order(await html(slug), ['Comp Loose', 'Group Alpha', 'Comp A1', 'Comp A2', 'Group Beta', 'Comp B1']))).toBe(true);
    // Beta above Alpha, A2 above A1.
    await owner.post(`/pages/${pageId}/groups/${beta}/move/up`);
    const a2 = (await ctx.t.db.selectFrom('page_components').select('id').where('name', '=', 'Comp A2').executeTakeFirstOrThrow()).id;
    await owner.post(`/pages/${pageId}/components/${a2}/move/up`);
    fresh();
    const page = await html(slug);
    expect(ascending(order(page, ['Comp Loose', 'Group Beta', 'Comp B1', 'Group Alpha', 'Comp A2', 'Comp A1']))).toBe(true);
    const json = await (await ctx.built.app.request(`/s/${slug}/api`)).json();
    expect(json.groups.map((g: { name: string }) => g.name)).toEqual(['Group Beta', 'Group Alpha']);
    expect(json.components.map((c: { name: string }) => c.name)).toEqual(['Comp Loose', 'Comp B1', 'Comp A2', 'Comp A1']);
    expect(json.components[0]).toMatchObject({ kind: 'manual', monitor_id: null, group_id: null, status: 'operational', uptime: null, days: null });
  });

  it('a manual component shows its status, counts in the banner, and has no uptime bars', async () => {
    const { owner, pageId, slug } = await setup();
    const api = await createMonitorVia(owner, { name: 'API' });
    await recordResult(ctx.t.db, api, { ok: true, statusCode: 200, responseMs: 5, error: null }, ctx.built.clock.now(), TEST_CHECKS);
    await manual(owner, pageId, 'Payments', 'major_outage', { description: 'Card processing' });
    const page = await html(slug);
    expect(banner(page)).toBe('Partial outage');
    expect(page).toContain('Card processing');
    expect(page).toMatch(/Payments<\/span>[\s\S]*?Major outage<\/span>/);
    // Bars only for the monitor: 90 per monitor component.
    expect(barDays(page)).toBe(90);
    const json = await (await ctx.built.app.request(`/s/${slug}/api`)).json();
    expect(json.status).toBe('partial_outage');
    expect(json.monitors.map((m: { id: number }) => m.id)).toEqual([api]);
    const comp = json.components.find((c: { kind: string }) => c.kind === 'monitor');
    expect(comp).toMatchObject({ monitor_id: api, name: 'API', status: 'up' });
    expect(comp.days).toHaveLength(90);
  });

  it('banner text for every state, without JavaScript', async () => {
    const { owner, pageId, slug } = await setup();
    expect(banner(await html(slug))).toBe('All systems operational');
    expect(await html(slug)).toContain('No public components yet.');
    await manual(owner, pageId, 'Web', 'operational');
    const web = (await ctx.t.db.selectFrom('page_components').select('id').where('name', '=', 'Web').executeTakeFirstOrThrow()).id;
    await manual(owner, pageId, 'Mail', 'operational');
    const mail = (await ctx.t.db.selectFrom('page_components').select('id').where('name', '=', 'Mail').executeTakeFirstOrThrow()).id;
    const expectBanner = async (web_: string, mail_: string, text: string) => {
      await owner.post(`/pages/${pageId}/components/${web}/status`, { status: web_ });
      await owner.post(`/pages/${pageId}/components/${mail}/status`, { status: mail_ });
      fresh();
      const page = await html(slug);
      expect(banner(page), `${web_}+${mail_}`).toBe(text);
      return page;
    };
    await expectBanner('operational', 'operational', 'All systems operational');
    await expectBanner('degraded', 'operational', 'Degraded performance');
    await expectBanner('partial_outage', 'operational', 'Partial outage');
    await expectBanner('major_outage', 'operational', 'Partial outage');
    await expectBanner('major_outage', 'major_outage', 'Major outage');
    const maint = await expectBanner('maintenance', 'operational', 'All systems operational');
    expect(maint).toContain('data-testid="maintenance-components">Under maintenance: Web</div>');
    expect(await expectBanner('maintenance', 'major_outage', 'Major outage')).toContain('Under maintenance: Web');
    // A slow monitor is degraded.
    const slow = await createMonitorVia(owner, { name: 'Slow API', degraded_ms: '100' });
    await owner.post(`/pages/${pageId}/components/${web}/delete`, { _confirm: '1' });
    await owner.post(`/pages/${pageId}/components/${mail}/delete`, { _confirm: '1' });
    await recordResult(ctx.t.db, slow, { ok: true, statusCode: 200, responseMs: 900, error: null }, ctx.built.clock.now(), TEST_CHECKS);
    fresh();
    expect(banner(await html(slug))).toBe('Degraded performance');
  });

  it('a private monitor component never appears on the page, JSON, history, feeds or badges', async () => {
    const { owner, pageId, slug } = await setup();
    const secret = await createMonitorVia(owner, { name: 'Secret Internal DB', is_public: 'false' });
    await owner.post(`/pages/${pageId}/groups`, { name: 'Secret Group' });
    await owner.post(`/pages/${pageId}/components/monitor`, { monitor_id: String(secret), group_id: String(await groupId(pageId, 'Secret Group')) });
    expect(await (await owner.get(`/pages/${pageId}`)).text()).toContain('hidden: monitor is private');
    for (let i = 0; i < 3; i++) {
      await recordResult(ctx.t.db, secret, { ok: false, statusCode: 500, responseMs: 5, error: 'boom' }, ctx.built.clock.now() + i, TEST_CHECKS);
    }
    for (const path of [`/s/${slug}`, `/s/${slug}/api`, `/s/${slug}/history`, `/s/${slug}/feed.atom`, `/s/${slug}/feed.rss`]) {
      const body = await (await ctx.built.app.request(path)).text();
      expect(body, path).not.toContain('Secret');
    }
    expect(banner(await html(slug))).toBe('All systems operational');
    expect((await ctx.built.app.request(`/badge/${secret}/status.svg`)).status).toBe(404);
  });

  it('badges need a public monitor on at least one public page', async () => {
    const { owner, pageId } = await setup();
    const api = await createMonitorVia(owner, { name: 'API' });
    expect((await ctx.built.app.request(`/badge/${api}/status.svg`)).status).toBe(200);
    // On a second, public page too; the first one made private: still a badge.
    const second = Number((await owner.post('/pages', { title: 'Public', slug: 'owner-public' })).headers.get('location')!.split('?')[0]!.split('/').pop());
    await owner.post(`/pages/${second}/components/monitor`, { monitor_id: String(api) });
    await owner.post(`/pages/${pageId}`, { title: 'Private', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' });
    expect((await ctx.built.app.request(`/badge/${api}/uptime.svg`)).status).toBe(200);
    // Only on the private page: no badge.
    const comp = (await ctx.t.db.selectFrom('page_components').select('id').where('page_id', '=', second).executeTakeFirstOrThrow()).id;
    await owner.post(`/pages/${second}/components/${comp}/delete`, { _confirm: '1' });
    fresh();
    expect((await ctx.built.app.request(`/badge/${api}/status.svg`)).status).toBe(404);
  });

  it('the monitor page shows badge URLs and Markdown with Copy buttons only while the badges are public', async () => {
    const { owner, pageId, slug } = await setup();
    const api = await createMonitorVia(owner, { name: 'Shop [API] <b>' });
    const page = await (await owner.get(`/monitors/${api}`)).text();
    expect(page).toContain('data-testid="badges"');
    const base = 'http://localhost:3000';
    expect(page).toContain(`<span class="font-mono break-all select-all" id="badge-status-url">${base}/badge/${api}/status.svg</span>`);
    expect(page).toContain(`id="badge-uptime-url">${base}/badge/${api}/uptime.svg</span>`);
    expect(page).toContain(`[![Shop API &lt;b&gt; status](${base}/badge/${api}/status.svg)](${base}/s/${slug})`);
    for (const id of ['badge-status-url', 'badge-uptime-url', 'badge-markdown']) expect(page).toContain(`data-copy="${id}"`);
    expect(page).toContain('<script src="/static/copy.js" defer></script>');
    // Private monitor, or its only page not public: no badges, so nothing to offer.
    const hidden = await createMonitorVia(owner, { name: 'Internal', is_public: 'false' });
    expect(await (await owner.get(`/monitors/${hidden}`)).text()).not.toContain('data-testid="badges"');
    await owner.post(`/pages/${pageId}`, { title: 'Private', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' });
    const nowPrivate = await (await owner.get(`/monitors/${api}`)).text();
    expect(nowPrivate).not.toContain('data-testid="badges"');
    expect(nowPrivate).not.toContain('copy.js');
  });

  it('an unknown or non-public badge is a 404 SVG "not found" image, the same for both', async () => {
    const { owner } = await setup();
    const hidden = await createMonitorVia(owner, { name: 'Secret name', is_public: 'false' });
    const answers: string[] = [];
    for (const path of [`/badge/${hidden}/status.svg`, `/badge/${hidden}/uptime.svg`, '/badge/999999/status.svg', '/badge/abc/uptime.svg']) {
      const res = await ctx.built.app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('image/svg+xml; charset=UTF-8');
      const body = await res.text();
      expect(body, path).toMatch(/^<svg /);
      expect(body, path).toContain('badge: not found');
      expect(body, path).not.toContain('Secret name');
      answers.push(body);
    }
    expect(new Set(answers).size).toBe(1);
  });

  it('escapes HTML in component names, descriptions, group names, footer text and link labels', async () => {
    const { owner, pageId, slug } = await setup();
    const evil = '<img src=x onerror=alert(1)>';
    await owner.post(`/pages/${pageId}/groups`, { name: `G ${evil}` });
    await manual(owner, pageId, `N ${evil}`, 'operational', { description: `D ${evil}` });
    const saved = await owner.post(`/pages/${pageId}`, {
      title: `T ${evil}`, bar_days: '90', accent: '#4f46e5', theme: 'auto', footer_text: `F ${evil}`,
      link_label_1: `L ${evil}`, link_url_1: 'https://acme.test/?q="><script>x</script>',
    });
    expect(saved.status).toBe(303);
    fresh();
    const page = await html(slug);
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>x</script>');
    for (const p of ['T', 'N', 'D', 'F', 'L']) expect(page).toContain(`${p} &lt;img src=x onerror=alert(1)&gt;`);
    expect(page).toContain('rel="nofollow noopener"');
    expect(page).toMatch(/href="https:\/\/acme\.test\/\?q=&(quot|#34);&gt;&lt;script&gt;x&lt;\/script&gt;" rel="nofollow noopener">L &lt;img/);
    const editor = await (await owner.get(`/pages/${pageId}`)).text();
    expect(editor).not.toContain('<img src=x');
    expect(editor).toContain('G &lt;img src=x onerror=alert(1)&gt;');
  });

  it('logo upload: magic bytes checked, size limited, served with nosniff and 304; CSRF enforced', async () => {
    const { owner, pageId, slug } = await setup();
    const upload = (bytes: Buffer, name: string, type: string, csrf = owner.csrf) => {
      const fd = new FormData();
      fd.set('_csrf', csrf);
      fd.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
      return owner.raw(`/pages/${pageId}/assets/logo`, { method: 'POST', body: fd });
    };
    await owner.get(`/pages/${pageId}`);
    const fake = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'logo.png', 'image/png');
    expect(fake.status).toBe(422);
    expect(await fake.text()).toContain('Upload a PNG, JPEG, WebP or ICO image');
    const big = await upload(Buffer.concat([PNG, Buffer.alloc(300 * 1024)]), 'big.png', 'image/png');
    expect(big.status).toBe(422);
    expect(await big.text()).toContain('The image is larger than 256 KB');
    expect((await upload(PNG, 'logo.png', 'image/png', 'forged')).status).toBe(403);
    expect(await ctx.t.db.selectFrom('page_assets').select('kind').execute()).toEqual([]);
    const ok = await upload(PNG, 'logo.txt', 'text/plain');
    expect(ok.status).toBe(303);
    const res = await ctx.built.app.request(`/s/${slug}/logo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/max-age=/);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    const again = await ctx.built.app.request(`/s/${slug}/logo`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    fresh();
    expect(await html(slug)).toMatch(new RegExp(`<img src="/s/${slug}/logo\\?v=\\d+"`));
    expect(await html(slug)).toContain('<link rel="icon" href="/static/favicon.svg"');
    expect((await ctx.built.app.request(`/s/${slug}/favicon`)).status).toBe(404);
    expect((await owner.post(`/pages/${pageId}/assets/logo/delete`)).status).toBe(303);
    expect((await ctx.built.app.request(`/s/${slug}/logo`)).status).toBe(404);
  });

  it("a private page's logo needs the unlock", async () => {
    const { owner, pageId, slug } = await setup();
    await owner.get(`/pages/${pageId}`);
    const fd = new FormData();
    fd.set('_csrf', owner.csrf);
    fd.set('file', new Blob([new Uint8Array(PNG)]), 'x.png');
    expect((await owner.raw(`/pages/${pageId}/assets/favicon`, { method: 'POST', body: fd })).status).toBe(303);
    await owner.post(`/pages/${pageId}`, { title: 'P', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' });
    fresh();
    const locked = await ctx.built.app.request(`/s/${slug}/favicon`);
    expect(locked.status).toBe(401);
    expect(locked.headers.get('content-type')).not.toContain('image');
    const unlock = await ctx.built.app.request(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=open%20sesame' });
    const cookie = unlock.headers.getSetCookie()[0]!.split(';')[0]!;
    const open = await ctx.built.app.request(`/s/${slug}/favicon`, { headers: { cookie } });
    expect(open.status).toBe(200);
    expect(open.headers.get('cache-control')).toBe('private, no-store');
    expect(await (await ctx.built.app.request(`/s/${slug}`, { headers: { cookie } })).text()).toMatch(new RegExp(`<link rel="icon" href="/s/${slug}/favicon\\?v=\\d+">`));
  });

  it('JSON across rebuilds: settled days reused, today and yesterday current, names escaped, same data as the plain shape', async () => {
    const { owner, pageId, slug } = await setup();
    const api = await createMonitorVia(owner, { name: 'API <script>x</script> & co' });
    const now = ctx.built.clock.now();
    for (const daysAgo of [40, 1, 0]) await recordResult(ctx.t.db, api, { ok: true, statusCode: 200, responseMs: 5, error: null }, now - daysAgo * 86_400_000, TEST_CHECKS);
    await manual(owner, pageId, 'Billing', 'degraded');
    const read = async () => {
      fresh();
      const res = await ctx.built.app.request(`/s/${slug}/api`);
      return { raw: await res.text(), status: res.status };
    };
    const first = await read();
    expect(first.status).toBe(200);
    expect(first.raw).not.toMatch(/[<>]/);
    expect(first.raw).toContain('API \\u003cscript\\u003ex\\u003c/script\\u003e \\u0026 co');
    const a = JSON.parse(first.raw);
    const comp = (j: { components: Array<{ kind: string; uptime: unknown; days: Array<{ uptime: number | null }> | null }> }) => j.components.find((c) => c.kind === 'monitor')!;
    expect(comp(a).days).toHaveLength(90);
    expect(comp(a).days![49]!.uptime).toBe(100);
    expect(comp(a).days![88]!.uptime).toBe(100);
    expect(a.components.find((c: { kind: string }) => c.kind === 'manual')).toMatchObject({ name: 'Billing', status: 'degraded', days: null });
    expect(a.monitors[0]).toEqual({ id: api, name: 'API <script>x</script> & co', status: 'up', uptime: comp(a).uptime });

    // A failure today: the rebuild shows it, the settled days are unchanged.
    await recordResult(ctx.t.db, api, { ok: false, statusCode: 500, responseMs: 5, error: 'HTTP 500' }, now + 1000, TEST_CHECKS);
    const b = JSON.parse((await read()).raw);
    expect(comp(b).days![89]!.uptime).toBe(50);
    expect(comp(b).days!.slice(0, 89)).toEqual(comp(a).days!.slice(0, 89));
    expect(Object.keys(b).sort()).toEqual(['components', 'generated_at', 'groups', 'incidents', 'maintenance', 'monitors', 'page', 'posts', 'status']);
  });
});
