import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { createMaintenance, tickMaintenance } from '../../src/domain/statuspages/posts.maintenance.ts';
import { postedImpacts, publicPosts } from '../../src/domain/statuspages/posts.public.ts';
import { createIncident, publishPost } from '../../src/domain/statuspages/posts.service.ts';
import { getPublicStatus } from '../../src/domain/statuspages/statuspages.service.ts';
import { useCheckFlow } from '../helpers/check-flow.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, TEST_ALERTS, TEST_CHECKS } from '../helpers/fixtures.ts';
import { componentFor } from '../helpers/posts.ts';

describe.each(testDbKinds())('status-page posts from the check flow on %s', (kind) => {
  const ctx = useCheckFlow(kind);
  const { check } = ctx;
  const posts = () => ctx.t.db.selectFrom('page_incidents').selectAll().orderBy('id').execute();
  const updatesOf = (id: number) => ctx.t.db.selectFrom('page_incident_updates').selectAll().where('page_incident_id', '=', id).orderBy('id').execute();

  async function setup(autoPublish = false) {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { name: 'Checkout', url: `${ctx.target.url}/flip`, failure_threshold: 2 });
    const page = await ctx.t.db.selectFrom('status_pages').select(['id', 'slug']).where('account_id', '=', account.id).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('status_pages').set({ auto_publish: autoPublish ? 1 : 0 }).where('id', '=', page.id).execute();
    const componentId = await componentFor(ctx.t.db, page.id, m.id);
    return { account, m, page, componentId };
  }

  it('going down prepares one neutral draft per page, never twice; recovery marks it resolved and keeps it a draft', async () => {
    const { m, page, componentId } = await setup();
    // A second page of the account showing the same monitor gets its own draft.
    const second = await ctx.t.db.insertInto('status_pages').values({ account_id: m.accountId, slug: `second-${m.id}-${kind}`, title: 'Second', created_at: ctx.clock.now() }).returning('id').executeTakeFirstOrThrow();
    const otherComponent = await componentFor(ctx.t.db, second.id, m.id);
    await check(m.id);
    ctx.target.healthy = false;
    await check(m.id);
    expect(await posts()).toHaveLength(0);
    expect(await check(m.id)).toMatchObject({ kind: 'recorded', transition: 'went_down' });
    await check(m.id); // still down: nothing new
    const drafts = await posts();
    expect(drafts).toHaveLength(2);
    const incident = await ctx.t.db.selectFrom('incidents').selectAll().where('monitor_id', '=', m.id).executeTakeFirstOrThrow();
    for (const d of drafts) {
      expect(d).toMatchObject({ kind: 'incident', title: 'Checkout is down', state: 'investigating', published_at: null, incident_id: incident.id });
      const [u] = await updatesOf(d.id);
      expect(u!.state).toBe('investigating');
      expect(u!.body).not.toContain('503');
      expect(u!.body).not.toContain('127.0.0.1');
    }
    expect(await ctx.t.db.selectFrom('page_incident_components').selectAll().orderBy('component_id').execute()).toEqual(
      [
        { page_incident_id: drafts.find((d) => d.page_id === page.id)!.id, component_id: componentId, impact: 'major_outage' },
        { page_incident_id: drafts.find((d) => d.page_id === second.id)!.id, component_id: otherComponent, impact: 'major_outage' },
      ].sort((a, b) => a.component_id - b.component_id),
    );
    // A retried transaction for the same outage (e.g. after a restart) finds the draft and adds none.
    const { prepareOutageDrafts } = await import('../../src/domain/statuspages/posts.auto.ts');
    expect(await prepareOutageDrafts(ctx.t.db, { monitorId: m.id, incidentId: incident.id, at: ctx.clock.now(), baseUrl: TEST_ALERTS.baseUrl })).toEqual([]);
    expect(await posts()).toHaveLength(2);
    expect((await publicPosts(ctx.t.db, page.id, ctx.clock.now())).active).toEqual([]);

    ctx.target.healthy = true;
    expect(await check(m.id)).toMatchObject({ kind: 'recorded', transition: 'recovered' });
    for (const d of await posts()) {
      expect(d.state).toBe('resolved');
      expect(d.published_at).toBeNull();
      expect(d.resolved_at).toBe(ctx.clock.now());
      expect((await updatesOf(d.id)).map((u) => u.state)).toEqual(['investigating', 'resolved']);
    }
  });

  it('a page with auto-publish publishes the draft at once and posts the resolved update on recovery', async () => {
    const { m, page, componentId } = await setup(true);
    ctx.target.healthy = false;
    await check(m.id);
    await check(m.id);
    const [post] = await posts();
    expect(post!.published_at).toBe(ctx.clock.now());
    const live = await publicPosts(ctx.t.db, page.id, ctx.clock.now());
    expect(live.active.map((p) => p.title)).toEqual(['Checkout is down']);
    expect(await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).toEqual(new Map([[componentId, 'major_outage']]));

    ctx.target.healthy = true;
    await check(m.id);
    const after = await publicPosts(ctx.t.db, page.id, ctx.clock.now());
    expect(after.active).toEqual([]);
    expect(after.past[0]!.updates.map((u) => u.state)).toEqual(['investigating', 'resolved']);
    expect((await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).size).toBe(0);

    // The next outage is a new incident and gets its own post.
    ctx.target.healthy = false;
    await check(m.id);
    await check(m.id);
    expect(await posts()).toHaveLength(2);
  });

  it('a monitor shown on no page prepares nothing', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { failure_threshold: 1 });
    await ctx.t.db.deleteFrom('page_components').where('monitor_id', '=', m.id).execute();
    await recordResult(ctx.t.db, m.id, { ok: false, statusCode: 500, responseMs: 1, error: 'connect ECONNREFUSED 10.0.0.5:5432' }, ctx.clock.now(), TEST_CHECKS);
    expect(await posts()).toHaveLength(0);
  });

  it('postedImpacts takes the worst impact of published open incidents and running maintenance', async () => {
    const { account, page, componentId } = await setup();
    const deps = { db: ctx.t.db, clock: ctx.clock, baseUrl: TEST_ALERTS.baseUrl };
    await createIncident(deps, account.id, page.id, { title: 'a', state: 'investigating', message: 'm', publish: 'now', [`impact_${componentId}`]: 'degraded_performance' });
    const draft = await createIncident(deps, account.id, page.id, { title: 'b', state: 'investigating', message: 'm', [`impact_${componentId}`]: 'major_outage' });
    expect(await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).toEqual(new Map([[componentId, 'degraded_performance']]));
    await publishPost(deps, account.id, page.id, draft);
    expect(await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).toEqual(new Map([[componentId, 'major_outage']]));
  });

  it('the public page shows the worse of what the monitor sees and what the team posted', async () => {
    const { account, page, componentId } = await setup();
    const deps = { db: ctx.t.db, clock: ctx.clock, baseUrl: TEST_ALERTS.baseUrl };
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').where('id', '=', page.id).executeTakeFirstOrThrow()).slug;
    const component = async () => (await getPublicStatus({ db: ctx.t.db, clock: ctx.clock }, slug)).components.find((c) => c.id === componentId)!;
    const before = await getPublicStatus({ db: ctx.t.db, clock: ctx.clock }, slug);
    expect(before.status).toBe('operational');
    await createIncident(deps, account.id, page.id, { title: 'Slow checkout', state: 'identified', message: 'm', publish: 'now', [`impact_${componentId}`]: 'partial_outage' });
    expect((await component()).status).toBe('partial_outage');
    expect((await getPublicStatus({ db: ctx.t.db, clock: ctx.clock }, slug)).status).toBe('partial_outage');
    // A lesser posted impact never hides a worse live status.
    await createIncident(deps, account.id, page.id, { title: 'Also slow', state: 'identified', message: 'm', publish: 'now', [`impact_${componentId}`]: 'degraded_performance' });
    expect((await component()).status).toBe('partial_outage');
  });

  it('the maintenance tick moves published maintenance along the clock once, with an update each step', async () => {
    const { account, page, componentId } = await setup();
    const deps = { db: ctx.t.db, clock: ctx.clock, baseUrl: TEST_ALERTS.baseUrl };
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const start = ctx.clock.now() + 60 * 60_000;
    const id = await createMaintenance(deps, account.id, page.id, { title: 'Upgrade', message: 'm', timezone: 'UTC', starts_at: iso(start), ends_at: iso(start + 30 * 60_000), [`component_${componentId}`]: 'on', publish: 'now' });
    expect(await tickMaintenance(deps)).toBe(0);
    expect((await publicPosts(ctx.t.db, page.id, ctx.clock.now())).maintenance.map((p) => p.state)).toEqual(['scheduled']);
    ctx.clock.set(start + 1000);
    expect(await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).toEqual(new Map([[componentId, 'maintenance']]));
    expect(await tickMaintenance(deps)).toBe(1);
    expect(await tickMaintenance(deps)).toBe(0);
    expect((await ctx.t.db.selectFrom('page_incidents').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('in_progress');
    ctx.clock.set(start + 31 * 60_000);
    expect(await tickMaintenance(deps)).toBe(1);
    expect(await tickMaintenance(deps)).toBe(0);
    expect((await updatesOf(id)).map((u) => u.state)).toEqual(['scheduled', 'in_progress', 'completed']);
    const shown = await publicPosts(ctx.t.db, page.id, ctx.clock.now());
    expect(shown.maintenance).toEqual([]);
    expect(shown.past.map((p) => p.state)).toEqual(['completed']);
    expect((await postedImpacts(ctx.t.db, page.id, ctx.clock.now())).size).toBe(0);
  });
});
