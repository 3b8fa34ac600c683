import { describe, expect, it } from 'vitest';
import { createMonitorVia, useAppPerTest } from '../helpers/app.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';

describe.each(testDbKinds())('status page incidents and components through the API on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  /** An owner with a monitor shown on their page, and a write key. */
  async function setup(name = 'owner') {
    const made = await ownerWithPage(ctx.built.app, ctx.t.db, name);
    return { ...made, api: apiClient(ctx.built.app, await createKeyVia(made.owner, 'CI', 'write')) };
  }

  async function subscribe(pageId: number, address = 'fan@example.com') {
    const r = await ctx.t.db
      .insertInto('subscribers')
      .values({ page_id: pageId, kind: 'email', address, component_ids: null, token: `tok-${address}`, confirmed_at: ctx.built.clock.now(), created_at: ctx.built.clock.now(), secret: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  const outbox = (subscriberId: number) => ctx.t.db.selectFrom('subscriber_outbox').select(['event', 'idempotency_key']).where('subscriber_id', '=', subscriberId).orderBy('id').execute();
  const publicPage = async (path: string) => {
    ctx.built.clock.advance(11_000); // past the public page cache
    return ctx.built.app.request(path);
  };

  it('incident lifecycle: draft → publish → update → resolve → post-mortem, on the public page and JSON, one notice per update, audited', async () => {
    const { api, pageId, slug, componentId } = await setup();
    const sub = await subscribe(pageId);

    const created = await api.post(`/pages/${pageId}/incidents`, { title: 'Slow checkout', message: 'Looking into **slow** payments.', components: [{ id: componentId, impact: 'partial_outage' }] });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect(created.json).toMatchObject({ page_id: pageId, kind: 'incident', title: 'Slow checkout', state: 'investigating', status: 'draft', url: null, published_at: null });
    expect(created.json.components).toEqual([{ id: componentId, name: 'owner API', impact: 'partial_outage', private: false }]);
    expect(created.json.updates).toEqual([{ id: expect.any(Number), state: 'investigating', message: 'Looking into **slow** payments.', created_at: expect.any(String) }]);
    expect(await outbox(sub)).toEqual([]);
    expect(await (await publicPage(`/s/${slug}`)).text()).not.toContain('Slow checkout');
    expect((await api.get(`/pages/${pageId}/incidents?status=draft`)).json.data.map((p: { id: number }) => p.id)).toEqual([id]);
    expect((await api.get(`/pages/${pageId}/incidents?status=published`)).json.data).toEqual([]);

    const published = await api.post(`/pages/${pageId}/incidents/${id}/publish`);
    expect(published.status).toBe(200);
    expect(published.json).toMatchObject({ status: 'published', url: `${ctx.built.deps.config.baseUrl}/s/${slug}/incidents/${id}` });
    expect((await api.post(`/pages/${pageId}/incidents/${id}/publish`)).status).toBe(200); // twice: still one notice
    expect((await outbox(sub)).map((o) => o.event)).toEqual(['incident.created']);
    const live = await (await publicPage(`/s/${slug}`)).text();
    expect(live).toContain('data-testid="active-incident"');
    expect(live).toContain('Looking into <strong>slow</strong> payments.');

    ctx.built.clock.advance(1000);
    const updated = await api.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'identified', message: 'A faulty deploy.' });
    expect(updated.status).toBe(201);
    expect(updated.json.state).toBe('identified');
    expect(updated.json.updates.map((u: { state: string }) => u.state)).toEqual(['investigating', 'identified']);

    const early = await api.call('PUT', `/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: 'too early' });
    expect(early.status).toBe(422);
    expect(early.json.error.details.postmortem).toBe('Resolve the incident first');

    ctx.built.clock.advance(1000);
    const resolved = await api.post(`/pages/${pageId}/incidents/${id}/resolve`);
    expect(resolved.status).toBe(200);
    expect(resolved.json.state).toBe('resolved');
    expect(resolved.json.resolved_at).toBe(new Date(ctx.built.clock.now()).toISOString());
    expect(resolved.json.updates.at(-1)).toMatchObject({ state: 'resolved', message: 'This incident has been resolved.' });
    const again = await api.post(`/pages/${pageId}/incidents/${id}/resolve`, { message: 'Really.' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('already_resolved');

    const pm = await api.call('PUT', `/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: '## Cause\n- a *bad* deploy' });
    expect(pm.status).toBe(200);
    expect(pm.json.postmortem).toBe('## Cause\n- a *bad* deploy');

    // One notice per update, each with its own key; nothing for the repeated publish or the refused resolve.
    const notices = await outbox(sub);
    expect(notices.map((o) => o.event)).toEqual(['incident.created', 'incident.updated', 'incident.resolved']);
    expect(new Set(notices.map((o) => o.idempotency_key)).size).toBe(3);

    const after = await (await publicPage(`/s/${slug}`)).text();
    expect(after).not.toContain('data-testid="active-incident"');
    expect(after).toMatch(/data-testid="past-incidents"[\s\S]*Slow checkout[\s\S]*This incident has been resolved\.[\s\S]*A faulty deploy\./);
    const own = await (await publicPage(`/s/${slug}/incidents/${id}`)).text();
    expect(own).toContain('<h4>Cause</h4>');
    expect((own.match(/data-testid="update"/g) ?? []).length).toBe(3);
    const json = await (await publicPage(`/s/${slug}/api`)).json();
    expect(json.posts).toHaveLength(1);
    expect(json.posts[0]).toMatchObject({ id, kind: 'incident', title: 'Slow checkout', state: 'resolved' });
    expect(json.posts[0].updates.map((u: { state: string }) => u.state)).toEqual(['investigating', 'identified', 'resolved']);

    const got = await api.get(`/pages/${pageId}/incidents/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(pm.json);
    expect((await api.get(`/pages/${pageId}/incidents?state=resolved&kind=incident`)).json.data.map((p: { id: number }) => p.id)).toEqual([id]);
    expect((await api.get(`/pages/${pageId}/incidents?state=investigating`)).json.data).toEqual([]);
    expect((await api.get(`/pages/${pageId}/incidents?kind=maintenance`)).json.data).toEqual([]);

    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'actor', 'api_key_id', 'target']).where('api_key_id', 'is not', null).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['incident_post.created', 'incident_post.published', 'incident_post.updated', 'incident_post.resolved', 'incident_post.postmortem_saved']);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(['API key "CI"']));
    expect(audit[0]!.target).toContain('Slow checkout');
  });

  it('published at once, drafts deleted but published posts kept, paging and filters', async () => {
    const { api, pageId, componentId } = await setup();
    const sub = await subscribe(pageId);
    const now = await api.post(`/pages/${pageId}/incidents`, { title: 'Down', state: 'identified', message: 'Outage.', components: [{ id: componentId, impact: 'major_outage' }], publish: true });
    expect(now.status).toBe(201);
    expect(now.json).toMatchObject({ status: 'published', state: 'identified' });
    expect((await outbox(sub)).map((o) => o.event)).toEqual(['incident.created']);
    expect((await api.delete(`/pages/${pageId}/incidents/${now.json.id}`)).status).toBe(409);

    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api.post(`/pages/${pageId}/incidents`, { title: `Draft ${i}`, message: 'm' })).json.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; json: any } = await api.get(`/pages/${pageId}/incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.data.map((p: { id: number }) => p.id));
      cursor = res.json.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...ids].reverse().concat(now.json.id));
    expect(pages).toBe(3);

    const del = await api.delete(`/pages/${pageId}/incidents/${ids[0]}`);
    expect(del.status).toBe(204);
    expect((await api.get(`/pages/${pageId}/incidents/${ids[0]}`)).status).toBe(404);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('id', '=', now.json.id).execute()).toHaveLength(1);
    expect((await outbox(sub)).length).toBe(1);
  });

  it('maintenance posts: scheduled, in progress by the clock, completed early with one notice each', async () => {
    const { api, pageId, slug, componentId } = await setup();
    const sub = await subscribe(pageId);
    const start = ctx.built.clock.now() + 3_600_000;
    const res = await api.post(`/pages/${pageId}/maintenance`, { title: 'DB upgrade', message: 'Brief pauses.', starts_at: new Date(start).toISOString(), ends_at: start + 7_200_000, components: [componentId] });
    expect(res.status).toBe(201);
    const id = res.json.id;
    expect(res.json).toMatchObject({ kind: 'maintenance', state: 'scheduled', status: 'published', scheduled_start: new Date(start).toISOString(), scheduled_end: new Date(start + 7_200_000).toISOString() });
    expect(res.json.components).toEqual([{ id: componentId, name: 'owner API', impact: 'maintenance', private: false }]);
    expect((await outbox(sub)).map((o) => o.event)).toEqual(['maintenance.scheduled']);
    expect(await (await publicPage(`/s/${slug}`)).text()).toContain('DB upgrade');
    expect((await api.get(`/pages/${pageId}/incidents?state=scheduled`)).json.data.map((p: { id: number }) => p.id)).toEqual([id]);

    ctx.built.clock.advance(3_600_000);
    expect((await api.get(`/pages/${pageId}/incidents?state=scheduled`)).json.data).toEqual([]);
    expect((await api.get(`/pages/${pageId}/incidents?kind=maintenance&state=in_progress`)).json.data.map((p: { id: number }) => p.id)).toEqual([id]);
    // A message in the middle of the run (no state: the clock owns it) reaches subscribers too.
    const late = await api.post(`/pages/${pageId}/incidents/${id}/updates`, { message: 'Running about 30 minutes late.' });
    expect(late.status).toBe(201);
    expect(late.json.updates.at(-1)).toMatchObject({ state: 'in_progress', message: 'Running about 30 minutes late.' });
    expect((await outbox(sub)).map((o) => o.event)).toEqual(['maintenance.scheduled', 'maintenance.updated']);

    const done = await api.post(`/pages/${pageId}/incidents/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.json.state).toBe('completed');
    expect(done.json.updates.at(-1).state).toBe('completed');
    expect((await api.post(`/pages/${pageId}/incidents/${id}/complete`)).status).toBe(409);
    expect((await api.post(`/pages/${pageId}/incidents/${id}/resolve`)).status).toBe(409);
    expect((await outbox(sub)).map((o) => o.event)).toEqual(['maintenance.scheduled', 'maintenance.updated', 'maintenance.completed']);
    expect((await api.get(`/pages/${pageId}/incidents?state=completed`)).json.data.map((p: { id: number }) => p.id)).toEqual([id]);

    const incident = await api.post(`/pages/${pageId}/incidents`, { title: 'Not maintenance', message: 'm' });
    expect((await api.post(`/pages/${pageId}/incidents/${incident.json.id}/complete`)).status).toBe(404);
    const audit = await ctx.t.db.selectFrom('audit_log').select('action').where('api_key_id', 'is not', null).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['maintenance_post.created', 'maintenance_post.updated', 'maintenance_post.completed', 'incident_post.created']);
  });

  it('components: add manual and monitor components, patch, remove; status shows on the public JSON; audited', async () => {
    const { owner, api, pageId, slug, componentId } = await setup();
    const manual = await api.post(`/pages/${pageId}/components`, { name: 'Payments', description: 'Card payments' });
    expect(manual.status).toBe(201);
    expect(manual.json).toMatchObject({ name: 'Payments', description: 'Card payments', monitor_id: null, status: 'operational', group_id: null });

    const patched = await api.patch(`/pages/${pageId}/components/${manual.json.id}`, { status: 'major_outage' });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ name: 'Payments', description: 'Card payments', status: 'major_outage' });
    const json = await (await publicPage(`/s/${slug}/api`)).json();
    expect(json.components.find((c: { id: number }) => c.id === manual.json.id)).toMatchObject({ kind: 'manual', name: 'Payments', status: 'major_outage' });

    await owner.post(`/pages/${pageId}/groups`, { name: 'Core' });
    const group = await ctx.t.db.selectFrom('page_groups').select('id').where('page_id', '=', pageId).executeTakeFirstOrThrow();
    const renamed = await api.patch(`/pages/${pageId}/components/${componentId}`, { name: 'Public API', group_id: group.id });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ name: 'Public API', group_id: group.id });
    expect((await api.patch(`/pages/${pageId}/components/${componentId}`, { name: null })).json.name).toBe('owner API');
    const notManual = await api.patch(`/pages/${pageId}/components/${componentId}`, { status: 'degraded' });
    expect(notManual.status).toBe(409);
    expect(notManual.json.error.code).toBe('not_manual');

    const second = await createMonitorVia(owner, { name: 'Second' });
    await ctx.t.db.deleteFrom('page_components').where('monitor_id', '=', second).execute();
    const mc = await api.post(`/pages/${pageId}/components`, { monitor_id: second, group_id: group.id });
    expect(mc.status).toBe(201);
    expect(mc.json).toMatchObject({ monitor_id: second, name: 'Second', group_id: group.id });
    expect((await api.post(`/pages/${pageId}/components`, { monitor_id: second })).status).toBe(409);

    expect((await api.delete(`/pages/${pageId}/components/${mc.json.id}`)).status).toBe(204);
    expect((await api.delete(`/pages/${pageId}/components/${mc.json.id}`)).status).toBe(404);
    expect((await api.get(`/pages/${pageId}`)).json.components.map((c: { id: number }) => c.id).sort()).toEqual([componentId, manual.json.id].sort());
    const audit = await ctx.t.db.selectFrom('audit_log').select('action').where('api_key_id', 'is not', null).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['page_component.created', 'page_component.updated', 'page_component.updated', 'page_component.updated', 'page_component.created', 'page_component.deleted']);
  });

  it('invalid bodies answer 422 with details and change nothing', async () => {
    const { api, pageId, componentId } = await setup();
    const other = await setup('other');
    const cases: Array<[string, string, unknown, string[]]> = [
      ['post', `/pages/${pageId}/incidents`, {}, ['title', 'message']],
      ['post', `/pages/${pageId}/incidents`, { title: 't', message: 'm', state: 'exploded' }, ['state']],
      ['post', `/pages/${pageId}/incidents`, { title: 't', message: 'm', components: [{ id: componentId, impact: 'meh' }] }, ['components.0.impact']],
      ['post', `/pages/${pageId}/incidents`, { title: 't', message: 'm', colour: 'red' }, ['_']],
      ['post', `/pages/${pageId}/incidents`, { title: '   ', message: 'm' }, ['title']],
      ['post', `/pages/${pageId}/incidents`, { title: 't', message: 'm', components: [{ id: other.componentId, impact: 'major_outage' }] }, ['components']],
      ['post', `/pages/${pageId}/maintenance`, { title: 't', message: 'm', starts_at: '2030-01-01T02:00:00Z', ends_at: '2030-01-01T01:00:00Z', components: [componentId] }, ['ends_at']],
      ['post', `/pages/${pageId}/maintenance`, { title: 't', message: 'm', starts_at: 'tomorrow', ends_at: '2030-01-01T01:00:00Z', components: [] }, ['starts_at', 'components']],
      ['post', `/pages/${pageId}/components`, { description: 'no name' }, ['name']],
      ['post', `/pages/${pageId}/components`, { monitor_id: 1, status: 'degraded' }, ['status']],
      ['post', `/pages/${pageId}/components`, { name: 'x', status: 'on fire' }, ['status']],
      ['patch', `/pages/${pageId}/components/${componentId}`, { description: 'x'.repeat(301) }, ['description']],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await api.call(method.toUpperCase(), path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expect(res.json.error.code).toBe('validation_failed');
      for (const f of fields) expect(res.json.error.details[f], `${JSON.stringify(body)}: ${f} in ${JSON.stringify(res.json.error.details)}`).toBeTruthy();
    }
    const id = (await api.post(`/pages/${pageId}/incidents`, { title: 'Real', message: 'm' })).json.id;
    const noState = await api.post(`/pages/${pageId}/incidents/${id}/updates`, { message: 'no state' });
    expect(noState.status).toBe(422);
    expect(noState.json.error.details.state).toBeTruthy();
    expect((await api.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'identified', message: '' })).json.error.details.message).toBeTruthy();
    expect((await api.post(`/pages/${pageId}/incidents`, 'not json')).status).toBe(400);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('page_id', '=', pageId).execute()).toHaveLength(1);
    expect(await ctx.t.db.selectFrom('page_incident_updates').select('id').where('page_incident_id', '=', id).execute()).toHaveLength(1);
  });

  it('a read key reads but gets 403 on every write, and nothing changes', async () => {
    const { owner, api, pageId, componentId } = await setup();
    const id = (await api.post(`/pages/${pageId}/incidents`, { title: 'Draft', message: 'm' })).json.id;
    const ro = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    expect((await ro.get(`/pages/${pageId}/incidents`)).status).toBe(200);
    expect((await ro.get(`/pages/${pageId}/incidents/${id}`)).status).toBe(200);
    const writes = [
      ro.post(`/pages/${pageId}/incidents`, { title: 't', message: 'm' }),
      ro.post(`/pages/${pageId}/maintenance`, { title: 't', message: 'm', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T01:00:00Z', components: [componentId] }),
      ro.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'identified', message: 'm' }),
      ro.post(`/pages/${pageId}/incidents/${id}/publish`),
      ro.post(`/pages/${pageId}/incidents/${id}/resolve`),
      ro.post(`/pages/${pageId}/incidents/${id}/complete`),
      ro.call('PUT', `/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: 'x' }),
      ro.delete(`/pages/${pageId}/incidents/${id}`),
      ro.post(`/pages/${pageId}/components`, { name: 'x' }),
      ro.patch(`/pages/${pageId}/components/${componentId}`, { name: 'x' }),
      ro.delete(`/pages/${pageId}/components/${componentId}`),
    ];
    for (const res of await Promise.all(writes)) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('insufficient_scope');
    }
    const post = await ctx.t.db.selectFrom('page_incidents').selectAll().where('page_id', '=', pageId).execute();
    expect(post).toHaveLength(1);
    expect(post[0]).toMatchObject({ id, published_at: null, state: 'investigating' });
    expect(await ctx.t.db.selectFrom('page_components').select('id').where('page_id', '=', pageId).execute()).toEqual([{ id: componentId }]);
  });

  it('another account’s page, post and component answer 404 and stay unchanged', async () => {
    const victim = await setup('victim');
    const postId = (await victim.api.post(`/pages/${victim.pageId}/incidents`, { title: 'Secret', message: 'm' })).json.id;
    const { api, pageId } = await setup('outsider');
    const p = victim.pageId;
    const attempts = [
      api.get(`/pages/${p}/incidents`),
      api.get(`/pages/${p}/incidents/${postId}`),
      api.get(`/pages/${pageId}/incidents/${postId}`), // own page, their post
      api.post(`/pages/${p}/incidents`, { title: 't', message: 'm' }),
      api.post(`/pages/${p}/maintenance`, { title: 't', message: 'm', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T01:00:00Z', components: [victim.componentId] }),
      api.post(`/pages/${p}/incidents/${postId}/updates`, { state: 'identified', message: 'm' }),
      api.post(`/pages/${pageId}/incidents/${postId}/publish`),
      api.post(`/pages/${p}/incidents/${postId}/resolve`),
      api.post(`/pages/${p}/incidents/${postId}/complete`),
      api.call('PUT', `/pages/${p}/incidents/${postId}/postmortem`, { postmortem: 'x' }),
      api.delete(`/pages/${p}/incidents/${postId}`),
      api.delete(`/pages/${pageId}/incidents/${postId}`),
      api.post(`/pages/${p}/components`, { name: 'x' }),
      api.post(`/pages/${pageId}/components`, { monitor_id: victim.monitorId }),
      api.patch(`/pages/${p}/components/${victim.componentId}`, { name: 'pwned' }),
      api.patch(`/pages/${pageId}/components/${victim.componentId}`, { name: 'pwned' }),
      api.delete(`/pages/${pageId}/components/${victim.componentId}`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Secret');
    }
    expect(await ctx.t.db.selectFrom('page_incidents').select(['id', 'published_at']).execute()).toEqual([{ id: postId, published_at: null }]);
    expect(await ctx.t.db.selectFrom('page_components').select(['id', 'name']).where('id', '=', victim.componentId).execute()).toEqual([{ id: victim.componentId, name: null }]);
  });

  it('existing API writes to monitors and maintenance windows are audited once, with the key as the actor', async () => {
    const { api, monitorId } = await setup();
    // The set-up's own monitor was created in the dashboard (audited with the user as the actor): only what follows counts.
    const last = (await ctx.t.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').executeTakeFirst())?.id ?? 0;
    const created = await api.post('/monitors', { name: 'Shop', url: 'https://example.com', interval_seconds: 60 });
    expect(created.status).toBe(201);
    await api.patch(`/monitors/${created.json.id}`, { interval_seconds: 120 });
    await api.post(`/monitors/${created.json.id}/pause`);
    await api.post(`/monitors/${created.json.id}/resume`);
    await api.delete(`/monitors/${created.json.id}`);
    const w = await api.post('/maintenance-windows', { title: 'Upgrade', type: 'once', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T01:00:00Z', monitor_ids: [monitorId] });
    expect(w.status).toBe(201);
    await api.post(`/maintenance-windows/${w.json.id}/end`);
    await api.delete(`/maintenance-windows/${w.json.id}`);
    const key = await ctx.t.db.selectFrom('api_keys').select(['id', 'name']).executeTakeFirstOrThrow();
    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'actor', 'api_key_id', 'user_id', 'details']).where('action', 'not like', 'apikey.%').where('id', '>', last).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual([
      'monitor.created', 'monitor.updated', 'monitor.paused', 'monitor.resumed', 'monitor.deleted',
      'maintenance.created', 'maintenance.ended', 'maintenance.deleted',
    ]);
    for (const a of audit) expect(a).toMatchObject({ actor: 'API key "CI"', api_key_id: key.id, user_id: null });
    expect(JSON.parse(audit[1]!.details).changed).toContain('intervalSeconds');
  });

  it('the OpenAPI document lists the new operations with their scopes and 409s', async () => {
    const doc = await (await ctx.built.app.request('/api/v1/openapi.json')).json();
    const ops = new Map<string, { scope: string; responses: string[] }>();
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [m, op] of Object.entries(methods)) ops.set(`${m} ${p}`, { scope: op['x-scope'], responses: Object.keys(op.responses) });
    }
    expect(ops.get('get /pages/{id}/incidents')?.scope).toBe('read');
    expect(ops.get('get /pages/{id}/incidents/{incidentId}')?.scope).toBe('read');
    for (const op of [
      'post /pages/{id}/incidents', 'post /pages/{id}/maintenance', 'post /pages/{id}/incidents/{incidentId}/updates', 'post /pages/{id}/incidents/{incidentId}/publish',
      'post /pages/{id}/incidents/{incidentId}/resolve', 'post /pages/{id}/incidents/{incidentId}/complete', 'put /pages/{id}/incidents/{incidentId}/postmortem',
      'delete /pages/{id}/incidents/{incidentId}', 'post /pages/{id}/components', 'patch /pages/{id}/components/{componentId}', 'delete /pages/{id}/components/{componentId}',
    ]) expect(ops.get(op)?.scope, op).toBe('write');
    expect(ops.get('post /pages/{id}/incidents/{incidentId}/resolve')?.responses).toContain('409');
    expect(ops.get('delete /pages/{id}/incidents/{incidentId}')?.responses).toContain('409');
    const docs = await (await ctx.built.app.request('/docs/api')).text();
    expect(docs).toContain('data-operation="PUT /api/v1/pages/{id}/incidents/{incidentId}/postmortem"');
  });
});
