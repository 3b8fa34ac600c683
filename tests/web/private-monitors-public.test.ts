import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { componentFor } from '../helpers/posts.ts';

/**
 * A private monitor may sit on a page as a component (the editor shows it as hidden), and an
 * incident may name it; no public surface may show its name or its id.
 */
describe.each(testDbKinds())('private monitors on public surfaces (%s)', (kind) => {
  const ctx = useAppPerTest(kind);

  it('never appear on the page, JSON, feeds, history, badges, incident pages or the subscribe form', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const shown = await createMonitorVia(owner, { name: 'Public API' });
    const secret = await createMonitorVia(owner, { name: 'Secret Billing DB', is_public: 'false' });
    const page = await ctx.t.db.selectFrom('status_pages').select(['id', 'slug']).executeTakeFirstOrThrow();
    const shownC = await componentFor(ctx.t.db, page.id, shown);
    const secretC = await componentFor(ctx.t.db, page.id, secret);
    await ctx.t.db.updateTable('status_pages').set({ auto_publish: 1 }).where('id', '=', page.id).execute();

    // The private monitor goes down: no draft (or auto-published post) names it.
    const now = ctx.built.clock.now();
    for (let i = 0; i < 3; i++) await recordResult(ctx.t.db, secret, { ok: false, statusCode: 500, responseMs: 5, error: 'down' }, now + i, TEST_CHECKS);
    expect(await ctx.t.db.selectFrom('page_incidents').selectAll().execute()).toEqual([]);

    // A person posts an incident naming both components.
    const res = await owner.post(`/pages/${page.id}/incidents`, {
      title: 'Payments degraded', state: 'investigating', message: 'Looking.', publish: 'now',
      [`impact_${shownC}`]: 'degraded_performance', [`impact_${secretC}`]: 'major_outage',
    });
    expect(res.status).toBe(303);
    const postId = Number(/\/incidents\/(\d+)$/.exec(res.headers.get('location')!)![1]);
    // The dashboard still lists it, so the team knows what they posted.
    expect(await (await owner.get(`/pages/${page.id}/incidents/${postId}`)).text()).toContain('Secret Billing DB');

    ctx.built.clock.advance(11_000);
    const month = new Date(ctx.built.clock.now()).toISOString().slice(0, 7);
    for (const path of ['', '/api', '/feed.atom', '/feed.rss', `/history?month=${month}`, `/incidents/${postId}`, '/subscribe']) {
      const r = await ctx.built.app.request(`/s/${page.slug}${path}`);
      expect(r.status, path).toBe(200);
      const body = await r.text();
      expect(body, path).not.toContain('Secret Billing DB');
      expect(body, path).not.toContain(`"monitor_id":${secret}`);
      expect(body, path).not.toContain(`"id":${secretC},`);
    }
    const json = await (await ctx.built.app.request(`/s/${page.slug}/api`)).json();
    expect(json.posts[0].components.map((c: { id: number }) => c.id)).toEqual([shownC]);
    for (const badge of ['status.svg', 'uptime.svg']) expect((await ctx.built.app.request(`/badge/${secret}/${badge}`)).status).toBe(404);
  });
});
