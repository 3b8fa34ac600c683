import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { createIncident } from '../../src/domain/statuspages/posts.service.ts';
import { persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { ownerWithPage } from '../helpers/posts.ts';

describe.each(testDbKinds())('public status page wording on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  /** The public page after the cache period, so each read sees the latest state. */
  async function publicHtml(path: string) {
    ctx.built.clock.advance(11_000);
    return (await ctx.built.app.request(path)).text();
  }

  async function down(monitorId: number) {
    for (let i = 0; i < 3; i++) await recordResult(ctx.t.db, monitorId, { ok: false, statusCode: 500, responseMs: 1, error: 'x' }, ctx.built.clock.now() + i, TEST_CHECKS);
  }

  it('an outage nobody has posted about yet says so, instead of "No incidents"', async () => {
    const { owner, pageId, slug, componentId, monitorId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    await recordResult(ctx.t.db, monitorId, { ok: true, statusCode: 200, responseMs: 1, error: null }, ctx.built.clock.now(), TEST_CHECKS);
    const calm = await publicHtml(`/s/${slug}`);
    expect(calm).toContain('No incidents in the last 14 days.');
    expect(calm).not.toContain('data-testid="unexplained"');

    await down(monitorId);
    const outage = await publicHtml(`/s/${slug}`);
    expect(outage).toContain('Major outage');
    expect(outage).toContain('<p class="mb-3 text-sm text-slate-500" data-testid="unexplained">Some components have problems (see above); no incident has been posted yet.</p>');
    expect(outage).not.toContain('No incidents in the last 14 days.');

    // Once the team publishes an incident, the incident explains it.
    const res = await owner.post(`/pages/${pageId}/incidents`, { title: 'API errors', state: 'investigating', message: 'Looking.', publish: 'now', [`impact_${componentId}`]: 'major_outage' });
    expect(res.status).toBe(303);
    const posted = await publicHtml(`/s/${slug}`);
    expect(posted).toContain('data-testid="active-incident"');
    expect(posted).not.toContain('data-testid="unexplained"');
  });

  it('does not say "status" twice when the title ends with it, in titles, feeds and back links', async () => {
    const { pageId, slug } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const account = (await ctx.t.db.selectFrom('status_pages').select('account_id').where('id', '=', pageId).executeTakeFirstOrThrow()).account_id;
    const postId = await createIncident({ db: ctx.t.db, clock: ctx.built.clock, baseUrl: 'http://x' }, account, pageId, { title: 'Blip', state: 'resolved', message: 'Gone.', publish: 'now' });
    for (const [title, name] of [['Acme Status', 'Acme Status'], ['Acme', 'Acme status'], ['Widgets STATUS', 'Widgets STATUS']] as const) {
      await ctx.t.db.updateTable('status_pages').set({ title }).where('id', '=', pageId).execute();
      const page = await publicHtml(`/s/${slug}`);
      expect(page).toContain(`<title>${name} · StatusPing</title>`);
      expect(await publicHtml(`/s/${slug}/feed.atom`)).toContain(`<title>${name}</title>`);
      expect(await publicHtml(`/s/${slug}/feed.rss`)).toContain(`<title>${name}</title>`);
      expect(await publicHtml(`/s/${slug}/history`)).toContain(`← ${name}</a>`);
      const incident = await publicHtml(`/s/${slug}/incidents/${postId}`);
      expect(incident).toContain(`← ${name}</a>`);
      expect(incident).toContain(`<title>Blip · ${name} · StatusPing</title>`);
      const message = await publicHtml(`/s/${slug}/unsubscribe?s=1&sig=nope`);
      expect(message).toContain(`Go to the ${name} page</a>`);
      for (const body of [page, incident, message]) expect(body.toLowerCase()).not.toContain('status status');
    }
  });

  it('a 404 under a status page links back to it; elsewhere to the dashboard or the home page', async () => {
    const { slug } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const missing = await ctx.built.app.request(`/s/${slug}/incidents/999`);
    expect(missing.status).toBe(404);
    const html = await missing.text();
    expect(html).toContain(`<a class="link" href="/s/${slug}" data-testid="error-back">← Back to the status page</a>`);
    expect(html).not.toContain('Go to StatusPing');
    // An unknown page has nothing to go back to.
    expect(await (await ctx.built.app.request('/s/no-such-page/incidents/1')).text()).toContain('<a class="link" href="/" data-testid="error-back">Go to StatusPing</a>');
    const member = await persona(ctx.built.app, 'member');
    const gone = await member.get('/monitors/999999');
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain('<a class="link" href="/dashboard" data-testid="error-back">Go to the dashboard</a>');
  });

  it('maintenance is announced once: a scheduled post does not call its component under maintenance, a running one has no second box', async () => {
    const { owner, pageId, slug } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const now = ctx.built.clock.now();
    const payments = (await ctx.t.db.insertInto('page_components').values({ page_id: pageId, name: 'Payments', manual_status: 'operational', position: 9, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const start = now + 2 * 3_600_000;
    const res = await owner.post(`/pages/${pageId}/maintenance`, { title: 'Card processor swap', message: 'Short pauses.', timezone: 'UTC', starts_at: iso(start), ends_at: iso(start + 3_600_000), [`component_${payments}`]: 'on', publish: 'now' });
    expect(res.status).toBe(303);
    const postUrl = res.headers.get('location')!;
    const postId = Number(postUrl.split('/').pop());

    const before = await (await owner.get(postUrl)).text();
    expect(before).toContain('Payments (Maintenance scheduled)');
    expect(before).not.toContain('Under maintenance');
    expect(await publicHtml(`/s/${slug}/incidents/${postId}`)).toContain('<li>Payments — Maintenance scheduled</li>');

    ctx.built.clock.set(start + 60_000);
    const running = await publicHtml(`/s/${slug}`);
    expect(running).toContain('Maintenance in progress');
    expect(running).not.toContain('data-testid="maintenance-components"');
    expect((await (await owner.get(postUrl)).text())).toContain('Payments (Under maintenance)');
    expect(await publicHtml(`/s/${slug}/incidents/${postId}`)).toContain('<li>Payments — Under maintenance</li>');

    // A component set to maintenance by hand, with no post about it, is still announced.
    await ctx.t.db.insertInto('page_components').values({ page_id: pageId, name: 'Reports', manual_status: 'maintenance', position: 10, created_at: now }).execute();
    const both = await publicHtml(`/s/${slug}`);
    expect(both).toContain('data-testid="maintenance-components">Under maintenance: Reports</div>');
  });
});
