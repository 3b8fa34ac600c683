import { describe, expect, it } from 'vitest';
import { type Client, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';

const XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>';
const XSS_BODY = 'Look <img src=x onerror=alert(2)> [x](javascript:alert(3)) <div hx-get="/logout">y</div>';

describe.each(testDbKinds())('incident posts on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  const setup = (name = 'owner') => ownerWithPage(ctx.built.app, ctx.t.db, name);

  const postIdFrom = (res: Response) => Number(/\/incidents\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1]);
  const pub = (path: string) => ctx.built.app.request(path);

  async function create(owner: Client, pageId: number, form: Record<string, string>) {
    const res = await owner.post(`/pages/${pageId}/incidents`, form);
    expect(res.status).toBe(303);
    return postIdFrom(res);
  }

  it('lifecycle: draft → publish → updates → resolve → post-mortem, seen on the public page and the incident page', async () => {
    const { owner, pageId, slug, componentId } = await setup();
    const id = await create(owner, pageId, { title: 'Slow API', [`impact_${componentId}`]: 'partial_outage', state: 'investigating', message: 'Looking into **slowness**.', publish: 'draft' });
    const index = await (await owner.get(`/pages/${pageId}/incidents`)).text();
    expect(index).toMatch(/data-testid="drafts"[\s\S]*Slow API[\s\S]*data-testid="active"/);
    expect(await (await pub(`/s/${slug}`)).text()).not.toContain('Slow API');
    expect((await pub(`/s/${slug}/incidents/${id}`)).status).toBe(404);

    expect((await owner.post(`/pages/${pageId}/incidents/${id}/publish`)).status).toBe(303);
    ctx.built.clock.advance(11_000); // past the public cache
    const live = await (await pub(`/s/${slug}`)).text();
    expect(live).toContain('data-testid="active-incident"');
    expect(live).toContain('Slow API');
    expect(live).toContain('Looking into <strong>slowness</strong>.');
    expect(live).toContain('owner API: Partial outage');

    ctx.built.clock.advance(1000);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'identified', message: 'A bad deploy.' })).status).toBe(303);
    ctx.built.clock.advance(1000);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: 'too early' })).status).toBe(422);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'resolved', message: 'Rolled back.' })).status).toBe(303);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: '## Cause\n- a *bad* deploy' })).status).toBe(303);
    const row = await ctx.t.db.selectFrom('page_incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.state).toBe('resolved');
    expect(row.resolved_at).not.toBeNull();
    // Each step is in the account's audit log under the person who did it.
    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'incident_post.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['incident_post.created', 'incident_post.published', 'incident_post.updated', 'incident_post.resolved']));
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([owner.email]));

    ctx.built.clock.advance(11_000);
    const after = await (await pub(`/s/${slug}`)).text();
    expect(after).not.toContain('data-testid="active-incident"');
    expect(after).toMatch(/data-testid="past-incidents"[\s\S]*Slow API[\s\S]*Rolled back\.[\s\S]*A bad deploy\.[\s\S]*Looking into/);
    const page = await (await pub(`/s/${slug}/incidents/${id}`)).text();
    expect(page).toContain('data-testid="incident-title">Slow API</h1>');
    expect(page).toContain('<h4>Cause</h4>');
    expect(page).toContain('<ul><li>a <em>bad</em> deploy</li></ul>');
    expect((page.match(/data-testid="update"/g) ?? []).length).toBe(3);

    const json = await (await pub(`/s/${slug}/api`)).json();
    expect(json.monitors).toBeDefined();
    expect(json.posts).toHaveLength(1);
    expect(json.posts[0]).toMatchObject({ id, kind: 'incident', title: 'Slow API', state: 'resolved', url: `${ctx.built.deps.config.baseUrl}/s/${slug}/incidents/${id}` });
    expect(json.posts[0].components).toEqual([{ id: componentId, name: 'owner API', impact: 'partial_outage' }]);
    expect(json.posts[0].updates.map((u: { state: string }) => u.state)).toEqual(['investigating', 'identified', 'resolved']);
  });

  it('the update form of a resolved incident warns that another state reopens it, and offers Resolved first', async () => {
    const { owner, pageId, componentId } = await setup();
    const id = await create(owner, pageId, { title: 'Blip', [`impact_${componentId}`]: 'degraded_performance', state: 'identified', message: 'm', publish: 'now' });
    const active = await (await owner.get(`/pages/${pageId}/incidents/${id}`)).text();
    expect(active).not.toContain('data-testid="reopen-note"');
    expect(active).toContain('<option value="identified" selected>Identified</option>');
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'resolved', message: 'Fixed.' })).status).toBe(303);
    const resolved = await (await owner.get(`/pages/${pageId}/incidents/${id}`)).text();
    expect(resolved).toContain('<p class="alert alert-info" data-testid="reopen-note">This incident is resolved. Posting a state other than Resolved reopens it and tells subscribers.</p>');
    expect(resolved).toContain('<option value="resolved" selected>Resolved</option>');
    expect(resolved.match(/ selected>/g)).toHaveLength(1);
    // A refused post-mortem re-renders the page with the same default, not the first state.
    const pm = await (await owner.post(`/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: '' })).text();
    expect(pm).toContain('<option value="resolved" selected>Resolved</option>');
  });

  it('"publish now", edit, discard of drafts only, and a template prefills the form without JavaScript', async () => {
    const { owner, pageId, componentId } = await setup();
    expect((await owner.post('/incident-templates', { name: 'DB', title: 'Database trouble', state: 'identified', body: 'The database is *slow*.' })).status).toBe(303);
    const tpl = await ctx.t.db.selectFrom('incident_templates').selectAll().executeTakeFirstOrThrow();
    const form = await (await owner.get(`/pages/${pageId}/incidents/new?template=${tpl.id}`)).text();
    expect(form).toContain('value="Database trouble"');
    expect(form).toContain('<option value="identified" selected>');
    expect(form).toContain('The database is *slow*.</textarea>');

    const id = await create(owner, pageId, { title: 'Now', state: 'investigating', message: 'm', publish: 'now' });
    expect((await ctx.t.db.selectFrom('page_incidents').select('published_at').where('id', '=', id).executeTakeFirstOrThrow()).published_at).not.toBeNull();
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/discard`)).status).toBe(409);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/edit`, { title: 'Renamed', [`impact_${componentId}`]: 'major_outage' })).status).toBe(303);
    const comps = await ctx.t.db.selectFrom('page_incident_components').selectAll().where('page_incident_id', '=', id).execute();
    expect(comps).toEqual([{ page_incident_id: id, component_id: componentId, impact: 'major_outage' }]);

    const draft = await create(owner, pageId, { title: 'Draft', state: 'investigating', message: 'm' });
    expect((await owner.post(`/pages/${pageId}/incidents/${draft}/discard`, { _confirm: '1' })).status).toBe(303);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('id', '=', draft).execute()).toHaveLength(0);

    const bad = await owner.post(`/pages/${pageId}/incidents`, { title: '', state: 'bogus', message: '' });
    expect(bad.status).toBe(422);
    const text = await bad.text();
    expect(text).toContain('Give the post a title');
    expect(text).toContain('Write a message');
  });

  it("another account's page, post and template ids answer 404, and foreign components are ignored", async () => {
    const a = await setup('owner');
    const b = await setup('outsider');
    const id = await create(a.owner, a.pageId, { title: 'Mine', state: 'investigating', message: 'm', [`impact_${b.componentId}`]: 'major_outage' });
    expect(await ctx.t.db.selectFrom('page_incident_components').selectAll().where('page_incident_id', '=', id).execute()).toEqual([]);
    expect((await b.owner.get(`/pages/${a.pageId}/incidents`)).status).toBe(404);
    expect((await b.owner.get(`/pages/${b.pageId}/incidents/${id}`)).status).toBe(404);
    expect((await b.owner.post(`/pages/${a.pageId}/incidents/${id}/publish`)).status).toBe(404);
    expect((await b.owner.post(`/pages/${b.pageId}/incidents/${id}/publish`)).status).toBe(404);
    expect((await b.owner.post(`/pages/${a.pageId}/incidents/${id}/updates`, { state: 'resolved', message: 'x' })).status).toBe(404);
    expect((await b.owner.post(`/pages/${a.pageId}/incidents/${id}/discard`)).status).toBe(404);
    expect((await b.owner.post(`/pages/${a.pageId}/incidents`, { title: 't', state: 'investigating', message: 'm' })).status).toBe(404);
    expect((await ctx.t.db.selectFrom('page_incidents').select('published_at').where('id', '=', id).executeTakeFirstOrThrow()).published_at).toBeNull();
    await a.owner.post('/incident-templates', { name: 'T', state: 'investigating', body: 'b' });
    const tpl = await ctx.t.db.selectFrom('incident_templates').select('id').executeTakeFirstOrThrow();
    expect((await b.owner.post(`/incident-templates/${tpl.id}/delete`)).status).toBe(404);
    expect(await (await b.owner.get(`/pages/${b.pageId}/incidents/new?template=${tpl.id}`)).text()).not.toContain('<option value="' + tpl.id);
    expect((await b.owner.get('/pages/abc/incidents')).status).toBe(404);

    // Public: another page's post through this page's slug is not found.
    await a.owner.post(`/pages/${a.pageId}/incidents/${id}/publish`);
    expect((await pub(`/s/${a.slug}/incidents/${id}`)).status).toBe(200);
    expect((await pub(`/s/${b.slug}/incidents/${id}`)).status).toBe(404);
    expect((await pub(`/s/${a.slug}/incidents/99999999999`)).status).toBe(404);
  });

  it('titles and update text cannot inject HTML on the public page, the incident page, the JSON or the feeds', async () => {
    const { owner, pageId, slug, componentId } = await setup();
    const id = await create(owner, pageId, { title: XSS_TITLE, [`impact_${componentId}`]: 'major_outage', state: 'investigating', message: XSS_BODY, publish: 'now' });
    const pages = [await (await pub(`/s/${slug}`)).text(), await (await pub(`/s/${slug}/incidents/${id}`)).text()];
    for (const html of pages) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('href="javascript:');
      expect(html).not.toContain('<div hx-get="/logout"');
      expect(html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('Look &lt;img src=x onerror=alert(2)&gt; [x](javascript:alert(3)) &lt;div hx-get=&quot;/logout&quot;&gt;y&lt;/div&gt;');
    }
    const raw = await (await pub(`/s/${slug}/api`)).text();
    expect(raw).not.toContain('<script>');
    expect(raw).toContain('\\u003cscript\\u003e'); // even a browser sniffing the JSON as HTML sees no tag
    expect(JSON.parse(raw).posts[0].title).toBe(XSS_TITLE);
    for (const feed of [await (await pub(`/s/${slug}/feed.atom`)).text(), await (await pub(`/s/${slug}/feed.rss`)).text()]) {
      expect(feed).not.toContain('<script>');
      expect(feed).not.toContain('<img');
      expect(feed).toContain('&#60;script&#62;alert(&#34;t&#34;)&#60;/script&#62;');
      expect(feed).toContain(`/s/${slug}/incidents/${id}`);
    }
  });

  it('the feeds list published posts with links to their pages, not raw monitor outages', async () => {
    const { owner, pageId, slug } = await setup();
    await create(owner, pageId, { title: 'Hidden draft', state: 'investigating', message: 'm' });
    const id = await create(owner, pageId, { title: 'Public post', state: 'monitoring', message: 'Fixed, *watching*.', publish: 'now' });
    const atom = await (await pub(`/s/${slug}/feed.atom`)).text();
    expect(atom).toContain(`<entry><id>${ctx.built.deps.config.baseUrl}/s/${slug}/incidents/${id}</id><title>Public post [Monitoring]</title><link href="${ctx.built.deps.config.baseUrl}/s/${slug}/incidents/${id}"/>`);
    expect(atom).toContain('<summary>Fixed, *watching*.</summary>');
    expect(atom).not.toContain('Hidden draft');
    const rss = await (await pub(`/s/${slug}/feed.rss`)).text();
    expect(rss).toContain(`<title>Public post [Monitoring]</title><link>${ctx.built.deps.config.baseUrl}/s/${slug}/incidents/${id}</link>`);
    expect(rss).not.toContain('Hidden draft');
  });

  it('maintenance posts: created prefilled from a maintenance window, upcoming, then in progress, completed early by hand', async () => {
    const { owner, pageId, slug, componentId, monitorId } = await setup();
    const now = ctx.built.clock.now();
    const start = Math.floor(now / 60_000) * 60_000 + 3_600_000; // forms have minute precision
    const end = start + 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const w = await ctx.t.db
      .insertInto('maintenance_windows')
      .values({ account_id: (await ctx.t.db.selectFrom('status_pages').select('account_id').where('id', '=', pageId).executeTakeFirstOrThrow()).account_id, title: 'DB upgrade', starts_at: start, ends_at: end, cron: null, duration_minutes: null, timezone: 'UTC', ended_at: null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.t.db.insertInto('maintenance_monitors').values({ window_id: w.id, monitor_id: monitorId }).execute();
    const form = await (await owner.get(`/pages/${pageId}/maintenance/new?window=${w.id}`)).text();
    expect(form).toContain('value="DB upgrade"');
    expect(form).toContain(`value="${iso(start)}"`);
    expect(form).toContain(`name="component_${componentId}" value="on" checked`);

    const res = await owner.post(`/pages/${pageId}/maintenance`, { title: 'DB upgrade', [`component_${componentId}`]: 'on', timezone: 'UTC', starts_at: iso(start), ends_at: iso(end), message: 'Short read-only period.', window_id: String(w.id), publish: 'now' });
    expect(res.status).toBe(303);
    const id = postIdFrom(res);
    expect((await ctx.t.db.selectFrom('page_incidents').select('maintenance_window_id').where('id', '=', id).executeTakeFirstOrThrow()).maintenance_window_id).toBe(w.id);
    const upcoming = await (await pub(`/s/${slug}`)).text();
    expect(upcoming).toContain('Scheduled maintenance: <a class="hover:underline"');
    ctx.built.clock.advance(3_600_000 + 1000); // start ≤ now + 1 h
    expect(await (await pub(`/s/${slug}`)).text()).toContain('Maintenance in progress: <a');
    const json = await (await pub(`/s/${slug}/api`)).json();
    expect(json.posts[0]).toMatchObject({ kind: 'maintenance', state: 'in_progress', scheduled: { starts_at: new Date(start).toISOString() } });
    expect(json.posts[0].components[0].impact).toBe('maintenance');
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/complete`)).status).toBe(303);
    ctx.built.clock.advance(11_000);
    const done = await (await pub(`/s/${slug}`)).text();
    expect(done).not.toContain('Maintenance in progress');
    expect(done).toMatch(/Past incidents[\s\S]*DB upgrade[\s\S]*Completed/);
    const bad = await owner.post(`/pages/${pageId}/maintenance`, { title: 'x', message: 'm', timezone: 'UTC', starts_at: iso(now), ends_at: iso(now - 1000) });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Choose at least one component');
  });
});
