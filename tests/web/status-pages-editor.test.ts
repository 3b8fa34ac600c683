import { describe, expect, it } from 'vitest';
import { buildApp, type Client, createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';

describe.each(testDbKinds())('status pages and their components on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  const pageIdOf = async (c: Client) => Number((await settingsPath(c)).split('/').pop());
  const componentsOf = (pageId: number) =>
    ctx.t.db.selectFrom('page_components').selectAll().where('page_id', '=', pageId).orderBy('position').orderBy('id').execute();

  it('the free plan has one page and says so; self-hosted has no limit', async () => {
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const free = await persona(saas.app, 'free');
    const refused = await free.post('/pages', { title: 'Second', slug: 'free-second' });
    expect(refused.status).toBe(402);
    expect(await refused.text()).toContain('The Free plan allows one status page. Delete a page or upgrade to add more.');
    const owner = await persona(ctx.built.app, 'owner');
    for (const slug of ['acme-api', 'acme-eu', 'acme-us', 'acme-asia']) {
      const res = await owner.post('/pages', { title: slug, slug });
      expect(res.status, slug).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/pages\/\d+\?saved=created$/);
    }
    const list = await (await owner.get('/pages')).text();
    expect((list.match(/data-testid="page-row"/g) ?? []).length).toBe(5);
    expect(list).toContain('href="/s/acme-asia"');
  });

  it('page addresses are validated, unique on the instance, and reserved words are refused', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const other = await persona(ctx.built.app, 'other');
    expect((await owner.post('/pages', { title: 'A', slug: 'shared-name' })).status).toBe(303);
    const taken = await other.post('/pages', { title: 'B', slug: 'Shared-Name' });
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain('Already taken, choose another');
    const reserved = await other.post('/pages', { title: 'B', slug: 'admin' });
    expect(reserved.status).toBe(422);
    expect(await reserved.text()).toContain('That address is reserved');
    const bad = await other.post('/pages', { title: 'B', slug: 'no/slash<b>' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Lowercase letters, digits and single dashes');
    // An account's own slug is a page address too.
    const accountSlug = (await ctx.t.db.selectFrom('accounts').select('slug').orderBy('id').executeTakeFirstOrThrow()).slug;
    expect((await other.post('/pages', { title: 'B', slug: accountSlug })).status).toBe(422);
  });

  it('deleting asks first, then deletes; the last page cannot be deleted', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const first = await pageIdOf(owner);
    const created = await owner.post('/pages', { title: 'Extra', slug: 'extra-page' });
    const id = Number(created.headers.get('location')!.split('?')[0]!.split('/').pop());
    const confirm = await owner.get(`/pages/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Delete "Extra"?');
    expect((await owner.post(`/pages/${id}/delete`)).headers.get('location')).toBe('/pages?deleted=1');
    expect((await ctx.built.app.request('/s/extra-page')).status).toBe(404);
    const last = await owner.post(`/pages/${first}/delete`);
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('An account keeps at least one status page');
  });

  it('the delete confirmation says posts and subscribers go too, and they do', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const created = await owner.post('/pages', { title: 'Extra', slug: 'extra-page' });
    const id = Number(created.headers.get('location')!.split('?')[0]!.split('/').pop());
    const text = await (await owner.get(`/pages/${id}/delete`)).text();
    expect(text).toContain('its incident and maintenance posts with all their updates and post-mortems; and its subscribers (they are not told)');
    expect(text).toContain('Monitors and their history stay.');
    expect((await owner.post(`/pages/${id}/incidents`, { title: 'Outage', state: 'investigating', message: 'm', publish: 'now' })).status).toBe(303);
    const now = Date.now();
    await ctx.t.db.insertInto('subscribers').values({ page_id: id, kind: 'email', address: 'reader@example.com', token: `tok-${now}`, confirmed_at: now, created_at: now }).execute();
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('page_id', '=', id).execute()).toHaveLength(1);
    expect((await owner.post(`/pages/${id}/delete`)).status).toBe(303);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('page_id', '=', id).execute()).toHaveLength(0);
    expect(await ctx.t.db.selectFrom('page_incident_updates').select('id').execute()).toHaveLength(0);
    expect(await ctx.t.db.selectFrom('subscribers').select('id').where('page_id', '=', id).execute()).toHaveLength(0);
  });

  it("another account's page, group and component ids are 404 on every route", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const pageId = await pageIdOf(owner);
    const ownPage = await pageIdOf(outsider);
    await owner.post(`/pages/${pageId}/groups`, { name: 'Core' });
    await owner.post(`/pages/${pageId}/components/manual`, { name: 'Payments', status: 'operational' });
    const group = (await ctx.t.db.selectFrom('page_groups').select('id').where('page_id', '=', pageId).executeTakeFirstOrThrow()).id;
    const comp = (await componentsOf(pageId))[0]!.id;
    const monitor = await createMonitorVia(owner, { name: 'Owner API', is_public: 'false' });
    const gets = [`/pages/${pageId}`, `/pages/${pageId}/delete`, `/pages/${pageId}/sla`, `/pages/${pageId}/sla?format=csv`];
    for (const path of gets) expect((await outsider.get(path)).status, path).toBe(404);
    const posts: Array<[string, Record<string, string>]> = [
      [`/pages/${pageId}`, { title: 'x', bar_days: '90', accent: '#000000', theme: 'auto' }],
      [`/pages/${pageId}/delete`, {}],
      [`/pages/${pageId}/groups`, { name: 'x' }],
      [`/pages/${pageId}/groups/${group}`, { name: 'x' }],
      [`/pages/${pageId}/groups/${group}/delete`, {}],
      [`/pages/${pageId}/groups/${group}/move/up`, {}],
      [`/pages/${pageId}/components/manual`, { name: 'x', status: 'operational' }],
      [`/pages/${pageId}/components/monitor`, { monitor_id: String(monitor) }],
      [`/pages/${pageId}/components/${comp}`, { name: 'x' }],
      [`/pages/${pageId}/components/${comp}/status`, { status: 'major_outage' }],
      [`/pages/${pageId}/components/${comp}/move/down`, {}],
      [`/pages/${pageId}/components/${comp}/delete`, {}],
      [`/pages/${pageId}/assets/logo/delete`, {}],
      // Own page, but another account's group, component or monitor.
      [`/pages/${ownPage}/groups/${group}`, { name: 'x' }],
      [`/pages/${ownPage}/components/${comp}/status`, { status: 'major_outage' }],
      [`/pages/${ownPage}/components/${comp}/delete`, {}],
      [`/pages/${ownPage}/components/monitor`, { monitor_id: String(monitor) }],
      [`/pages/${ownPage}/components/manual`, { name: 'x', status: 'operational', group_id: String(group) }],
    ];
    for (const [path, form] of posts) expect((await outsider.post(path, form)).status, path).toBe(404);
    expect((await componentsOf(pageId)).map((c) => [c.name, c.manual_status])).toEqual([['Payments', 'operational']]);
    expect(await componentsOf(ownPage)).toEqual([]);
    expect((await ctx.t.db.selectFrom('page_groups').select('name').where('id', '=', group).executeTakeFirstOrThrow()).name).toBe('Core');
  });

  it('new public monitors join the first page once; a monitor is on a page at most once', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = await pageIdOf(owner);
    const pub = await createMonitorVia(owner, { name: 'Public API' });
    const priv = await createMonitorVia(owner, { name: 'Private DB', is_public: 'false' });
    expect((await componentsOf(pageId)).map((c) => c.monitor_id)).toEqual([pub]);
    const form = { name: 'Private DB', url: 'https://example.com/db', interval_seconds: '60', is_public: 'true' };
    expect((await owner.post(`/monitors/${priv}/edit`, form)).status).toBe(303);
    expect((await componentsOf(pageId)).map((c) => c.monitor_id)).toEqual([pub, priv]);
    const twice = await owner.post(`/pages/${pageId}/components/monitor`, { monitor_id: String(pub) });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('Public API is already on this page');
    // Taken off the page, an edit of the (still public) monitor does not put it back.
    const comp = (await componentsOf(pageId))[0]!;
    await owner.post(`/pages/${pageId}/components/${comp.id}/delete`, { _confirm: '1' });
    expect((await owner.post(`/monitors/${pub}/edit`, { ...form, name: 'Public API' })).status).toBe(303);
    expect((await componentsOf(pageId)).map((c) => c.monitor_id)).toEqual([priv]);
    // The same monitor may be on another page.
    const other = Number((await owner.post('/pages', { title: 'EU', slug: 'owner-eu' })).headers.get('location')!.split('?')[0]!.split('/').pop());
    expect((await owner.post(`/pages/${other}/components/monitor`, { monitor_id: String(priv) })).status).toBe(303);
    expect((await componentsOf(other)).map((c) => c.monitor_id)).toEqual([priv]);
  });

  it('the editor shows a private monitor component as hidden, and settings keep footer links, auto-publish and SLA target', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = await pageIdOf(owner);
    const priv = await createMonitorVia(owner, { name: 'Private DB', is_public: 'false' });
    await owner.post(`/pages/${pageId}/components/monitor`, { monitor_id: String(priv) });
    const editor = await (await owner.get(`/pages/${pageId}`)).text();
    expect(editor).toContain('hidden: monitor is private');
    expect(editor).toContain('Publish incident drafts automatically when a monitor goes down');
    const saved = await owner.post(`/pages/${pageId}`, {
      title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto', auto_publish: 'true', sla_target: '99.5',
      link_label_1: 'Support', link_url_1: 'https://acme.test/support',
    });
    expect(saved.status).toBe(303);
    const row = await ctx.t.db.selectFrom('status_pages').selectAll().where('id', '=', pageId).executeTakeFirstOrThrow();
    expect([row.auto_publish, Number(row.sla_target), JSON.parse(row.footer_links)]).toEqual([1, 99.5, [{ label: 'Support', url: 'https://acme.test/support' }]]);
    const again = await (await owner.get(`/pages/${pageId}`)).text();
    expect(again).toContain('value="https://acme.test/support"');
    expect(again).toMatch(/name="auto_publish" value="true" checked/);
  });

  it('footer links must be http(s) with a label: javascript: is refused with a field error', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = await pageIdOf(owner);
    const base = { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto' };
    const js = await owner.post(`/pages/${pageId}`, { ...base, link_label_1: 'Click', link_url_1: 'javascript:alert(1)' });
    expect(js.status).toBe(422);
    expect(await js.text()).toContain('Enter a full http:// or https:// URL');
    const half = await owner.post(`/pages/${pageId}`, { ...base, link_url_2: 'https://acme.test/' });
    expect(half.status).toBe(422);
    expect(await half.text()).toContain('Give the link a label');
    const target = await owner.post(`/pages/${pageId}`, { ...base, sla_target: '101' });
    expect(target.status).toBe(422);
    const row = await ctx.t.db.selectFrom('status_pages').select('footer_links').where('id', '=', pageId).executeTakeFirstOrThrow();
    expect(row.footer_links).toBe('[]');
  });

  it('groups and components are added, renamed, reordered, moved between groups and removed', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const pageId = await pageIdOf(owner);
    for (const name of ['Europe', 'America']) expect((await owner.post(`/pages/${pageId}/groups`, { name })).status).toBe(303);
    const groups = async () => (await ctx.t.db.selectFrom('page_groups').selectAll().where('page_id', '=', pageId).orderBy('position').execute()).map((g) => g.name);
    const [eu, us] = (await ctx.t.db.selectFrom('page_groups').select('id').where('page_id', '=', pageId).orderBy('id').execute()).map((g) => g.id);
    await owner.post(`/pages/${pageId}/groups/${us}/move/up`);
    expect(await groups()).toEqual(['America', 'Europe']);
    await owner.post(`/pages/${pageId}/groups/${eu}`, { name: 'EU' });
    expect(await groups()).toEqual(['America', 'EU']);
    const empty = await owner.post(`/pages/${pageId}/groups/${eu}`, { name: '  ' });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Name the group');
    for (const name of ['One', 'Two', 'Three']) await owner.post(`/pages/${pageId}/components/manual`, { name, status: 'operational', group_id: String(eu) });
    const names = async () => (await componentsOf(pageId)).map((c) => c.name);
    const ids = (await componentsOf(pageId)).map((c) => c.id);
    await owner.post(`/pages/${pageId}/components/${ids[2]}/move/up`);
    expect(await names()).toEqual(['One', 'Three', 'Two']);
    await owner.post(`/pages/${pageId}/components/${ids[0]}/move/up`); // already first: no change
    expect(await names()).toEqual(['One', 'Three', 'Two']);
    await owner.post(`/pages/${pageId}/components/${ids[0]}`, { name: 'One', description: 'first', group_id: String(us) });
    expect((await componentsOf(pageId)).find((c) => c.id === ids[0])!.group_id).toBe(us);
    await owner.post(`/pages/${pageId}/groups/${eu}/delete`, { _confirm: '1' });
    expect(await groups()).toEqual(['America']);
    expect((await componentsOf(pageId)).filter((c) => c.group_id === null).map((c) => c.name)).toEqual(['Three', 'Two']);
    await owner.post(`/pages/${pageId}/components/${ids[1]}/delete`, { _confirm: '1' });
    expect(await names()).toEqual(['Three', 'One']); // moved to America, at its end
    const noName = await owner.post(`/pages/${pageId}/components/manual`, { name: '', status: 'operational' });
    expect(noName.status).toBe(422);
    expect(await noName.text()).toContain('Name the component');
    const badStatus = await owner.post(`/pages/${pageId}/components/${ids[2]}/status`, { status: 'on_fire' });
    expect(badStatus.status).toBe(422);
    expect((await owner.post(`/pages/${pageId}/components/${ids[2]}/status`, { status: 'major_outage' })).status).toBe(303);
    expect((await componentsOf(pageId)).find((c) => c.id === ids[2])!.manual_status).toBe('major_outage');
  });

  it('the old settings address redirects to the first page, and the menu links to /pages', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.get('/settings/status-page');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/pages\/\d+$/);
    const dash = await (await owner.get('/dashboard')).text();
    expect(dash).toContain('href="/pages"');
    expect(dash).toContain('>Status pages</a>');
  });
});
