import { componentFor, ownerWithPage } from '../helpers/posts.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertResult } from '../../src/domain/checks/checks.repository.ts';
import { MINUTE } from '../../src/lib/clock.ts';
import { createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { testDbKinds } from '../helpers/env.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

describe.each(testDbKinds())('REST API on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('a created key works, is shown once, and a revoked key is refused with 401', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const key = await createKeyVia(owner, 'Terraform', 'read');
    expect(key).toMatch(/^sp_live_[A-Za-z0-9_-]{32}$/);
    const row = await ctx.t.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.key_hash).not.toContain(key);
    expect(key.startsWith(row.prefix)).toBe(true);

    const list = await (await owner.get('/settings/api-keys')).text();
    expect(list).toContain('Terraform');
    expect(list).toContain(`${row.prefix}…`);
    expect(list).not.toContain(key);

    const api = apiClient(ctx.built.app, key);
    const ok = await api.get('/monitors');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ data: [], page: 1, limit: 50, total: 0 });

    const used = await ctx.t.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow();
    expect(used.last_used_at).toBe(ctx.built.clock.now());
    // Within a minute the key is not written again; after it, it is.
    ctx.built.clock.advance(30_000);
    await api.get('/monitors');
    expect((await ctx.t.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow()).last_used_at).toBe(used.last_used_at);
    ctx.built.clock.advance(31_000);
    await api.get('/monitors');
    expect((await ctx.t.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow()).last_used_at).toBe(ctx.built.clock.now());
    expect(await (await owner.get('/settings/api-keys')).text()).toContain('last used just now');

    const revoke = await owner.post(`/settings/api-keys/${row.id}/revoke`, { _confirm: '1' });
    expect(revoke.status).toBe(303);
    const after = await api.get('/monitors');
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('unauthenticated');
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'target', 'actor']).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['apikey.created', 'apikey.revoked']);
    expect(audit[0]!.target).toContain('Terraform');
    expect(audit[0]!.actor).toBe(owner.email);
  });

  it('missing, garbage and unknown Authorization headers answer 401 JSON', async () => {
    for (const auth of [undefined, 'garbage', 'Bearer', 'Bearer sp_live_' + 'x'.repeat(32), 'Basic dXNlcjpwYXNz', 'Bearer ' + 'é'.repeat(10)]) {
      const res = await ctx.built.app.request('/api/v1/monitors', { headers: auth ? { authorization: auth } : {} });
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = await res.json();
      expect(body.error.code).toBe('unauthenticated');
      expect(typeof body.error.message).toBe('string');
      expect(body.error.details).toEqual({});
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('a read key gets 403 on every write route and changes nothing', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const attempts = [
      api.post('/monitors', { name: 'x', url: 'https://example.com', interval_seconds: 60 }),
      api.patch(`/monitors/${id}`, { name: 'renamed' }),
      api.post(`/monitors/${id}/pause`),
      api.post(`/monitors/${id}/check`),
      api.delete(`/monitors/${id}`),
      api.post('/maintenance-windows', { title: 'x', type: 'once', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T01:00:00Z', monitor_ids: [id] }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('insufficient_scope');
    }
    const m = await ctx.t.db.selectFrom('monitors').selectAll().executeTakeFirstOrThrow();
    expect(m.name).toBe('API');
    expect(m.is_paused).toBe(0);
    expect((await api.get(`/monitors/${id}`)).status).toBe(200);
  });

  it('monitors: create, get, list, update, pause, resume, delete through the API', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    const created = await api.post('/monitors', { name: 'API health', url: 'https://api.example.com/health', interval_seconds: 60, keyword: 'ok', auth_type: 'bearer', auth_token: 'tok-very-secret' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'API health', type: 'http', url: 'https://api.example.com/health', interval_seconds: 60, timeout_seconds: 10, status: 'pending', paused: false, keyword: 'ok' });
    expect(created.text).not.toContain('tok-very-secret');
    const id = created.json.id;

    expect((await api.get(`/monitors/${id}`)).json.name).toBe('API health');
    const updated = await api.patch(`/monitors/${id}`, { interval_seconds: 120, keyword: null });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id, name: 'API health', interval_seconds: 120, keyword: null });
    // The credential kept its value though it is never shown.
    const stored = await ctx.t.db.selectFrom('monitors').select('settings').where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.settings).auth_token).toBe('tok-very-secret');

    expect((await api.post(`/monitors/${id}/pause`)).json).toMatchObject({ paused: true, status: 'paused' });
    expect((await api.post(`/monitors/${id}/resume`)).json).toMatchObject({ paused: false });
    await api.post('/monitors', { name: 'Port', type: 'tcp', host: 'db.example.com', port: 5432, interval_seconds: 60 });
    const list = await api.get('/monitors?limit=1&page=2');
    expect(list.json).toMatchObject({ page: 2, limit: 1, total: 2 });
    expect(list.json.data.map((m: { name: string }) => m.name)).toEqual(['Port']);
    expect(list.json.data[0]).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432', settings: { host: 'db.example.com', port: 5432 } });

    const del = await api.delete(`/monitors/${id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await api.get(`/monitors/${id}`)).status).toBe(404);
    expect((await api.delete(`/monitors/${id}`)).status).toBe(404);
  });

  it('PATCH changes only the fields it names; a field of another type and a type change are refused', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    const created = await api.post('/monitors', { name: 'Cert', type: 'tls', host: 'example.com', warn_days: [30, 7], interval_seconds: 3600, degraded_ms: 500 });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ url: 'tls://example.com:443', settings: { host: 'example.com', port: 443, warn_days: [30, 7] } });
    const id = created.json.id;
    const patched = await api.patch(`/monitors/${id}`, { port: 8443, degraded_ms: null });
    expect(patched.json).toMatchObject({ url: 'tls://example.com:8443', degraded_ms: null, interval_seconds: 3600, settings: { host: 'example.com', port: 8443, warn_days: [30, 7] } });
    const wrong = await api.patch(`/monitors/${id}`, { url: 'https://example.com', type: 'http' });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.details).toEqual({ type: 'The type cannot change' });
    const foreign = await api.patch(`/monitors/${id}`, { keyword: 'ok' });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.details).toEqual({ keyword: 'Not a field of TLS certificate monitors' });
    expect((await api.post('/monitors', { name: 'x', type: 'tcp', host: 'db.example.com', port: 5432, interval_seconds: 60, keyword: 'ok' })).json.error.details).toEqual({ keyword: 'Not a field of TCP port monitors' });
  });

  it('monitor credentials are write-only: header values masked, push URL only for write keys', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const write = apiClient(ctx.built.app, await createKeyVia(owner, 'rw', 'write'));
    const read = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const h = await write.post('/monitors', { name: 'h', url: 'https://e.com', interval_seconds: 60, headers: 'X-Api-Key: abc123secret', auth_type: 'basic', auth_user: 'bob', auth_pass: 'hunter2secret' });
    expect(h.status).toBe(201);
    expect(h.json.settings).toMatchObject({ headers: 'X-Api-Key:', auth_type: 'basic', auth_user: 'bob' });
    expect(h.json.settings).not.toHaveProperty('auth_pass');
    const hb = await write.post('/monitors', { name: 'job', type: 'heartbeat', interval_seconds: 300 });
    const token = (await ctx.t.db.selectFrom('monitors').select('push_token').where('id', '=', hb.json.id).executeTakeFirstOrThrow()).push_token!;
    expect(hb.json.push_url).toBe(`${ctx.built.deps.config.baseUrl}/push/${token}`);
    expect((await write.get(`/monitors/${hb.json.id}`)).json.push_url).toBe(hb.json.push_url);
    const viaRead = await read.get('/monitors');
    expect(viaRead.json.data.map((m: { push_url: string | null }) => m.push_url)).toEqual([null, null]);
    for (const secret of [token, 'abc123secret', 'hunter2secret']) expect(viaRead.text).not.toContain(secret);
  });

  it('bad JSON is 400, invalid fields are 422 with details, unknown ids are 404, never 500', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    const bad = await api.post('/monitors', '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('bad_json');
    expect((await api.post('/monitors', '[1,2]')).status).toBe(400);
    expect((await api.post('/monitors', '"x"')).status).toBe(400);
    expect((await api.call('POST', '/monitors', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(400);

    const invalid = await api.post('/monitors', { name: '', interval_seconds: 'soon', colour: 'red' });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.code).toBe('validation_failed');
    expect(Object.keys(invalid.json.error.details)).toEqual(expect.arrayContaining(['interval_seconds']));
    expect(JSON.stringify(invalid.json.error.details)).toMatch(/colour/);

    // Domain rules (cross-field) come back the same way.
    const domain = await api.post('/monitors', { name: 'x', url: 'https://example.com', interval_seconds: 5, timeout_seconds: 30 });
    expect(domain.status).toBe(422);
    expect(domain.json.error.details.timeout_seconds).toMatch(/interval/);
    const noUrl = await api.post('/monitors', { name: 'x', interval_seconds: 60 });
    expect(noUrl.status).toBe(422);
    expect(noUrl.json.error.details.url).toBeTruthy();

    for (const path of ['/monitors/abc', '/monitors/0', '/monitors/99999999', '/monitors/99999999999999999999', '/incidents/5', '/maintenance-windows/7', '/pages/123456', '/alert-channels/9', '/nope']) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    const q = await api.get('/monitors?limit=100000');
    expect(q.status).toBe(422);
    expect(q.json.error.details.limit).toBeTruthy();
  });

  it('a 422 message sums up the field problems in API terms, never the form wording', async () => {
    const { owner, pageId, componentId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    const summary = (details: Record<string, string>) => Object.entries(details).map(([k, v]) => (k === '_' ? v : `${k}: ${v}`)).join('; ');
    // Several domain rules at once (the dashboard's banner says "Please fix the highlighted fields").
    const posts = await api.post(`/pages/${pageId}/maintenance`, { title: '   ', message: 'm', starts_at: '2030-01-01T02:00:00Z', ends_at: '2030-01-01T01:00:00Z', components: [componentId] });
    expect(posts.status).toBe(422);
    expect(posts.json.error.details).toEqual({ title: 'Give the post a title', ends_at: 'The end must be after the start' });
    expect(posts.json.error.message).toBe('title: Give the post a title; ends_at: The end must be after the start');
    const domain = await api.post('/monitors', { name: 'x', url: 'javascript:alert(1)', interval_seconds: 5 });
    expect(domain.status).toBe(422);
    expect(Object.keys(domain.json.error.details)).toEqual(['url', 'interval_seconds']);
    expect(domain.json.error.message).toBe(summary(domain.json.error.details));
    expect(domain.json.error.message).toMatch(/^url: Enter a full http:\/\/ or https:\/\/ URL; interval_seconds: .+/);
    // The request schema's own checks, one field and several.
    const one = await api.post('/monitors', { name: 'x', url: 'https://example.com', interval_seconds: 'soon' });
    expect(one.json.error.message).toBe(`interval_seconds: ${one.json.error.details.interval_seconds}`);
    const many = await api.post('/monitors', { name: '', interval_seconds: 'soon', colour: 'red' });
    expect(many.json.error.message).toBe(summary(many.json.error.details));
    expect(many.json.error.message).toContain('interval_seconds: ');
    // Other errors keep their own sentence.
    expect((await api.get('/monitors/99999999')).json.error.message).toBe('Monitor not found');
  });

  it('another account’s monitor, incident, window, page and channel answer 404 and stay unchanged', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const id = await createMonitorVia(owner, { name: 'Secret API' });
    await owner.post('/maintenance', { title: 'Secret window', type: 'once', timezone: 'UTC', starts_at: '2030-01-01T00:00', ends_at: '2030-01-01T01:00', [`monitor_${id}`]: 'on' });
    await owner.post('/settings/alerts', { kind: 'webhook', name: 'Secret hook', url: `${rx.url}/hook` });
    const window = await ctx.t.db.selectFrom('maintenance_windows').select('id').executeTakeFirstOrThrow();
    const channel = await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow();
    const ownerAccount = await ctx.t.db.selectFrom('monitors').select('account_id').where('id', '=', id).executeTakeFirstOrThrow();
    const page = await ctx.t.db.selectFrom('status_pages').select('id').where('account_id', '=', ownerAccount.account_id).executeTakeFirstOrThrow();
    const incident = await ctx.t.db.insertInto('incidents').values({ account_id: ownerAccount.account_id, monitor_id: id, started_at: 1, resolved_at: null, cause: 'timeout' }).returning('id').executeTakeFirstOrThrow();

    const api = apiClient(ctx.built.app, await createKeyVia(outsider));
    for (const path of [`/monitors/${id}`, `/monitors/${id}/results`, `/incidents/${incident.id}`, `/maintenance-windows/${window.id}`, `/pages/${page.id}`, `/alert-channels/${channel.id}`]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toMatch(/Secret/);
    }
    for (const res of [
      await api.patch(`/monitors/${id}`, { name: 'pwned' }),
      await api.post(`/monitors/${id}/pause`),
      await api.delete(`/monitors/${id}`),
      await api.post(`/maintenance-windows/${window.id}/end`),
      await api.delete(`/maintenance-windows/${window.id}`),
    ]) expect(res.status).toBe(404);
    // Another account's monitor in a new window is left out, so nothing is covered.
    const w = await api.post('/maintenance-windows', { title: 'x', type: 'once', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T01:00:00Z', monitor_ids: [id] });
    expect(w.status).toBe(422);
    for (const list of ['/monitors', '/incidents', '/maintenance-windows', '/alert-channels']) {
      const res = await api.get(list);
      expect(res.status).toBe(200);
      expect(res.json.data).toEqual([]);
    }
    expect((await api.get('/pages')).json.data.map((p: { id: number }) => p.id)).not.toContain(page.id);
    const m = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(m).toMatchObject({ name: 'Secret API', is_paused: 0 });
    expect(await ctx.t.db.selectFrom('maintenance_windows').select(['id', 'ended_at']).execute()).toEqual([{ id: window.id, ended_at: null }]);
  });

  it('results: time range with ISO or epoch ms, cursor paging to the end', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const now = ctx.built.clock.now();
    const base = now - 10 * MINUTE;
    for (let i = 0; i < 10; i++) {
      await insertResult(ctx.t.db, { monitorId: id, checkedAt: base + i * MINUTE, ok: i % 3 !== 0, statusCode: 200, responseMs: 100 + i, error: i % 3 === 0 ? 'timeout' : null });
    }
    const all = await api.get(`/monitors/${id}/results`);
    expect(all.status).toBe(200);
    expect(all.json.data).toHaveLength(10);
    expect(all.json.next_cursor).toBeNull();
    expect(all.json.data[0].checked_at).toBe(new Date(base + 9 * MINUTE).toISOString());

    // from inclusive (ISO), to exclusive (epoch ms): results 2..6.
    const from = new Date(base + 2 * MINUTE).toISOString();
    const to = base + 7 * MINUTE;
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; json: any } = await api.get(`/monitors/${id}/results?from=${encodeURIComponent(from)}&to=${to}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.json.data.map((r: { response_ms: number }) => r.response_ms));
      cursor = res.json.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([106, 105, 104, 103, 102]);
    expect(pages).toBe(3);
    const first = (await api.get(`/monitors/${id}/results?from=${base}&to=${base + 1}`)).json.data;
    expect(first).toEqual([{ checked_at: new Date(base).toISOString(), ok: false, status_code: 200, response_ms: 100, error: 'timeout', attempts: 1, region: 'local' }]);

    for (const q of ['from=yesterday', 'to=2026-13-45T00:00:00Z', `from=${to}&to=${base}`, 'limit=0', 'limit=1001', 'cursor=abc']) {
      const res = await api.get(`/monitors/${id}/results?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.json.error.code).toBe('validation_failed');
    }
  });

  it('maintenance windows: create, get, list, end early, delete through the API', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    const now = ctx.built.clock.now();
    const start = new Date(now - MINUTE).toISOString();
    const created = await api.post('/maintenance-windows', { title: 'DB upgrade', type: 'once', starts_at: start, ends_at: now + 60 * MINUTE, monitor_ids: [id] });
    expect(created.status).toBe(201);
    const flooredStart = new Date(Math.floor((now - MINUTE) / MINUTE) * MINUTE).toISOString();
    expect(created.json).toMatchObject({ title: 'DB upgrade', type: 'once', timezone: 'UTC', state: 'active', monitor_ids: [id], starts_at: flooredStart });
    const wid = created.json.id;

    const recurring = await api.post('/maintenance-windows', { title: 'Nightly', type: 'recurring', timezone: 'Europe/Paris', cron: '0 3 * * *', duration_minutes: 30, monitor_ids: [id] });
    expect(recurring.status).toBe(201);
    expect(recurring.json).toMatchObject({ type: 'recurring', cron: '0 3 * * *', duration_minutes: 30, timezone: 'Europe/Paris' });
    expect(recurring.json.next).not.toBeNull();

    const bad = await api.post('/maintenance-windows', { title: 'x', type: 'recurring', cron: 'every day', monitor_ids: [id] });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details).toHaveProperty('cron');
    expect((await api.post('/maintenance-windows', { title: 'x', type: 'once', starts_at: 'soon', monitor_ids: [id] })).json.error.details).toHaveProperty('starts_at');

    expect((await api.get(`/maintenance-windows/${wid}`)).json.title).toBe('DB upgrade');
    expect((await api.get('/maintenance-windows')).json.data).toHaveLength(2);
    ctx.built.clock.advance(5 * MINUTE);
    const ended = await api.post(`/maintenance-windows/${wid}/end`);
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ state: 'ended', ended_at: new Date(ctx.built.clock.now()).toISOString() });
    expect((await api.delete(`/maintenance-windows/${wid}`)).status).toBe(204);
    expect((await api.get(`/maintenance-windows/${wid}`)).status).toBe(404);
  });

  it('incidents: list with open/resolved filters and paging, get one', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Checkout' });
    const accountId = (await ctx.t.db.selectFrom('monitors').select('account_id').executeTakeFirstOrThrow()).account_id;
    for (let i = 0; i < 5; i++) {
      await ctx.t.db.insertInto('incidents').values({ account_id: accountId, monitor_id: id, started_at: 1000 * i, resolved_at: i < 4 ? 1000 * i + 500 : null, cause: `cause ${i}` }).execute();
    }
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const open = await api.get('/incidents?state=open');
    expect(open.json.data).toHaveLength(1);
    expect(open.json.data[0]).toMatchObject({ monitor_id: id, monitor_name: 'Checkout', state: 'open', cause: 'cause 4', resolved_at: null, duration_seconds: null });
    const p1 = await api.get('/incidents?state=resolved&limit=3');
    expect(p1.json.data.map((i: { cause: string }) => i.cause)).toEqual(['cause 3', 'cause 2', 'cause 1']);
    const p2 = await api.get(`/incidents?state=resolved&limit=3&cursor=${p1.json.next_cursor}`);
    expect(p2.json.data.map((i: { cause: string }) => i.cause)).toEqual(['cause 0']);
    expect(p2.json.next_cursor).toBeNull();
    const one = await api.get(`/incidents/${p2.json.data[0].id}`);
    expect(one.json).toMatchObject({ state: 'resolved', duration_seconds: 1, started_at: new Date(0).toISOString() });
    expect((await api.get(`/incidents?monitor_id=${id + 1000}`)).json.data).toEqual([]);
    expect((await api.get('/incidents?state=closed')).status).toBe(422);
  });

  it('status pages list their components; alert channels never reveal secrets', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Web' });
    const accountId = (await ctx.t.db.selectFrom('monitors').select('account_id').executeTakeFirstOrThrow()).account_id;
    const page = await ctx.t.db.selectFrom('status_pages').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
    await componentFor(ctx.t.db, page.id, id); // new public monitors join the first page already
    await ctx.t.db.insertInto('page_components').values({ page_id: page.id, monitor_id: null, name: 'Support desk', manual_status: 'degraded', position: 1, created_at: 1 }).execute();
    await ctx.t.db.updateTable('status_pages').set({ access: 'password', password_hash: '$argon2id$secret-hash' }).where('id', '=', page.id).execute();

    const hookUrl = `${rx.url}/hooks/T000/B000/very-secret-token`;
    await owner.post('/settings/alerts', { kind: 'webhook', name: 'Ops hook', url: hookUrl, is_default: 'true' });
    await owner.post('/settings/alerts', { kind: 'telegram', name: 'TG', bot_token: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ', chat_id: '42' });
    await owner.post('/settings/alerts', { kind: 'email', name: 'Mail', recipients: 'ops@example.com, oncall@corp.example' });
    const channels = await ctx.t.db.selectFrom('alert_channels').selectAll().orderBy('id').execute();
    expect(channels).toHaveLength(3);
    const webhookSecret = JSON.parse(channels[0]!.config).secret as string;

    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const pages = await api.get('/pages');
    expect(pages.status).toBe(200);
    const p = pages.json.data[0];
    expect(p).toMatchObject({ id: page.id, slug: page.slug, access: 'password', url: `${ctx.built.deps.config.baseUrl}/s/${page.slug}` });
    expect(p.components).toEqual([
      { id: expect.any(Number), name: 'Web', description: '', group_id: null, monitor_id: id, status: 'pending', position: 0 },
      { id: expect.any(Number), name: 'Support desk', description: '', group_id: null, monitor_id: null, status: 'degraded', position: 1 },
    ]);
    expect(pages.text).not.toContain('argon2');
    expect((await api.get(`/pages/${page.id}`)).json).toEqual(p);

    const list = await api.get('/alert-channels');
    expect(list.json.data.map((c: { kind: string; target: string }) => [c.kind, c.target])).toEqual([
      ['email', 'example.com, corp.example'],
      ['webhook', '127.0.0.1'],
      ['telegram', 'api.telegram.org'],
    ]);
    expect(list.json.data[1]).toMatchObject({ name: 'Ops hook', is_default: true, disabled: false });
    const bodies = [list.text];
    for (const ch of channels) bodies.push((await api.get(`/alert-channels/${ch.id}`)).text);
    for (const body of bodies) {
      for (const secret of [hookUrl, 'very-secret-token', '/hooks/', webhookSecret, 'whsec_', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'ops@example.com']) expect(body).not.toContain(secret);
    }
  });

  it('the API ignores session cookies: a signed-in browser without a key gets 401', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.get('/api/v1/monitors');
    expect(res.status).toBe(401);
    const post = await owner.raw('/api/v1/monitors', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': owner.csrf }, body: JSON.stringify({ name: 'x', url: 'https://e.com', interval_seconds: 60 }) });
    expect(post.status).toBe(401);
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toEqual([]);
  });
});
