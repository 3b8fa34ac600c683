import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { describe, expect, it } from 'vitest';
import { buildApp, useAppPerTest, createMonitorVia, monitorForm, persona } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

describe.each(testDbKinds())('monitor pages on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('the new-monitor form labels Name, URL and Interval', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const html = await (await owner.get('/monitors/new')).text();
    expect(html).toContain('for="f-name">Name</label>');
    expect(html).toContain('for="f-url">URL</label>');
    expect(html).toContain('for="f-interval_seconds">Interval</label>');
  });

  it('the form has a Type field whose fields swap per type, and a TCP monitor can be added', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const page = await (await owner.get('/monitors/new')).text();
    expect(page).toContain('<label class="label" for="f-type">Type</label>');
    expect(page).toContain('hx-get="/monitors/type-fields"');
    const tcp = await (await owner.get('/monitors/type-fields?type=tcp', { 'hx-request': 'true' })).text();
    expect(tcp).toContain('for="f-host">Host</label>');
    expect(tcp).toContain('for="f-port">Port</label>');
    expect(tcp).not.toContain('for="f-url"');
    // The probe's timeout and retries come along out of band, and a heartbeat (which runs no probe) has none.
    expect(tcp).toMatch(/<div id="probe-timing" hx-swap-oob="true">[\s\S]*for="f-timeout_seconds"[\s\S]*for="f-retries"/);
    const beat = await (await owner.get('/monitors/type-fields?type=heartbeat', { 'hx-request': 'true' })).text();
    expect(beat).toContain('<div id="probe-timing" hx-swap-oob="true">');
    expect(beat).not.toContain('f-timeout_seconds');
    expect(beat).not.toContain('f-retries');
    const beatPage = await (await owner.get('/monitors/new?type=heartbeat')).text();
    expect(beatPage).not.toContain('f-timeout_seconds');
    expect(beatPage).toContain('for="f-interval_seconds"');
    expect(page).toContain('for="f-timeout_seconds"');
    const noJs = await (await owner.get('/monitors/new?type=dns')).text();
    expect(noJs).toContain('for="f-record_type">Record type</label>');
    const res = await owner.post('/monitors', { type: 'tcp', name: 'Postgres', host: 'db.internal.example', port: '5432', interval_seconds: '60' });
    expect(res.status).toBe(303);
    const id = Number(res.headers.get('location')!.split('/').pop());
    const show = await (await owner.get(`/monitors/${id}`)).text();
    expect(show).toContain('<span class="font-mono">TCP db.internal.example:5432</span>');
    expect(await (await owner.get('/dashboard')).text()).toContain('TCP db.internal.example:5432');
    const bad = await owner.post('/monitors', { type: 'tcp', name: 'x', host: '', port: '0', interval_seconds: '60' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Ports are 1–65535');
  });

  it('browser journeys need BROWSER_CHECKS=1 self-hosted, or the Business plan', async () => {
    const form = { type: 'browser', name: 'Login', interval_seconds: '300', steps: 'goto https://example.com/\nexpect text Example' };
    const owner = await persona(ctx.built.app, 'owner');
    const off = await owner.post('/monitors', form);
    expect(off.status).toBe(422);
    expect(await off.text()).toContain('Browser checks are off on this instance');
    const on = await persona(buildApp(ctx.t.db, { BROWSER_CHECKS: '1' }).app, 'on');
    expect((await on.post('/monitors', form)).status).toBe(303);
    const saas = await persona(buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' }).app, 'saas');
    const gated = await saas.post('/monitors', form);
    expect(gated.status).toBe(402);
    // The save-time refusal gives the type chooser's reason (one rule: the type's available()).
    expect(await gated.text()).toContain('Browser checks come with the Business plan.');
    const bad = await on.post('/monitors', { ...form, steps: 'click #x' });
    expect(await bad.text()).toContain('The first step must be goto &lt;url&gt;');
  });

  it('the type chooser marks Browser journey unavailable up front, with the reason, when it cannot be added', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const off = await (await owner.get('/monitors/new')).text();
    expect(off).toContain('<option value="browser" disabled>Browser journey (unavailable)</option>');
    expect(off).toContain('Browser journey is unavailable: Browser checks are off on this instance; the administrator can turn them on with BROWSER_CHECKS=1.');
    expect(off).not.toContain('href="/monitors/new?type=browser"');
    expect(off).toContain('<option value="http" selected>HTTP(S)</option>');
    const on = await persona(buildApp(ctx.t.db, { BROWSER_CHECKS: '1' }).app, 'on');
    const allowed = await (await on.get('/monitors/new')).text();
    expect(allowed).toContain('<option value="browser">Browser journey</option>');
    expect(allowed).not.toContain('data-testid="type-unavailable"');
    const saas = await persona(buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' }).app, 'saas');
    expect(await (await saas.get('/monitors/new')).text()).toContain('Browser journey is unavailable: Browser checks come with the Business plan.');
  });

  it('the monitor page charts percentiles and uptime over 24h / 7d / 30d / 90d', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    await recordResult(ctx.t.db, id, { ok: true, statusCode: 200, responseMs: 120, error: null }, ctx.built.clock.now() - 60_000, TEST_CHECKS);
    for (const range of ['24h', '7d', '30d', '90d']) {
      const html = await (await owner.get(`/monitors/${id}?range=${range}`)).text();
      expect(html).toContain(`aria-label="p50, p95 and p99 response time and uptime over ${range}"`);
      expect(html).toContain(`hx-get="/monitors/${id}/live?range=${range}"`);
    }
  });

  it('the SLA report shows the month and downloads as CSV; another account gets 404', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const id = await createMonitorVia(owner, { name: 'Billing API' });
    const account = (await ctx.t.db.selectFrom('monitors').select('account_id').where('id', '=', id).executeTakeFirstOrThrow()).account_id;
    await ctx.t.db.updateTable('monitors').set({ created_at: Date.UTC(2026, 8, 15) }).where('id', '=', id).execute();
    await ctx.t.db.insertInto('incidents').values({ account_id: account, monitor_id: id, started_at: Date.UTC(2026, 9, 2), resolved_at: Date.UTC(2026, 9, 2, 1), cause: 'x' }).execute();
    const page = await (await owner.get(`/monitors/${id}/sla?month=2026-10&target=99.9`)).text();
    expect(page).toContain('SLA report · Billing API · 2026-10');
    expect(page).toContain('99.866% uptime — target 99.9% missed');
    const csv = await owner.get(`/monitors/${id}/sla?month=2026-10&target=99.9&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain(`sla-${id}-2026-10.csv`);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('monitor,month,target_percent,uptime_percent,met,period_minutes,downtime_minutes,incidents,mttr_minutes,maintenance_excluded_minutes,degraded_minutes,degraded_counted,counted_from');
    expect(lines[1]).toBe('"Billing API",2026-10,99.9,99.866,false,44640,60,1,60,0,0,false,2026-10-01T00:00:00.000Z');
    expect((await outsider.get(`/monitors/${id}/sla`)).status).toBe(404);
  });

  it('a monitor without a failure screenshot answers 404 for it', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    expect((await owner.get(`/monitors/${id}/screenshot.png`)).status).toBe(404);
  });

  it('an empty dashboard tells the user what to do next', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const html = await (await owner.get('/dashboard')).text();
    expect(html).toContain('No monitors yet');
    expect(html).toContain('href="/monitors/new"');
  });

  it('creates, shows, edits, pauses, resumes, checks now and deletes a monitor', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Checkout', url: 'https://shop.example/health', keyword: 'ok' });
    const page = await (await owner.get(`/monitors/${id}`)).text();
    expect(page).toContain('Checkout');
    expect(page).toContain('Pending');
    expect(page).toContain('Waiting for the first check');

    const edit = await owner.post(`/monitors/${id}/edit`, monitorForm({ name: 'Checkout v2', url: 'https://shop.example/health', interval_seconds: '120' }));
    expect(edit.status).toBe(303);
    let row = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Checkout v2', interval_s: 120, keyword: null, is_public: 1 });

    await owner.post(`/monitors/${id}/pause`);
    expect((await ctx.t.db.selectFrom('monitors').select('is_paused').where('id', '=', id).executeTakeFirstOrThrow()).is_paused).toBe(1);
    expect(await (await owner.get('/dashboard/monitors')).text()).toContain('data-status="paused"');
    await owner.post(`/monitors/${id}/resume`);
    row = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.is_paused).toBe(0);

    const check = await owner.post(`/monitors/${id}/check`);
    expect(check.headers.get('location')).toBe(`/monitors/${id}?checking=1`);
    expect((await ctx.t.db.selectFrom('monitors').select('check_requested_at').where('id', '=', id).executeTakeFirstOrThrow()).check_requested_at).not.toBeNull();

    const del = await owner.post(`/monitors/${id}/delete`, { _confirm: '1' });
    expect(del.headers.get('location')).toBe('/dashboard');
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(0);
  });

  it('unticking "public" is saved', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', { ...monitorForm(), is_public: 'false' });
    expect(res.status).toBe(303);
    expect((await ctx.t.db.selectFrom('monitors').select('is_public').executeTakeFirstOrThrow()).is_public).toBe(0);
  });

  it('validation errors re-render the form with field messages and the typed values', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', { name: '', url: 'javascript:alert(1)', interval_seconds: 'often' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Give the monitor a name');
    expect(html).toContain('Enter a full http:// or https:// URL');
    expect(html).toContain('Interval must be a number of seconds');
    expect(html).toContain('value="often"');
  });

  it('htmx form errors return just the form partial', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', { name: 'x', url: 'http://a.b', interval_seconds: '1' }, { 'hx-request': 'true' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html.trim().startsWith('<form id="monitor-form"')).toBe(true);
    expect(html).toContain('This self-hosted instance allows intervals of 10 seconds or more.');
    expect(html).toContain('min="10"');
  });

  it('htmx row actions return the updated row, and a row delete returns nothing', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const paused = await owner.post(`/monitors/${id}/pause`, { from: 'row' }, { 'hx-request': 'true' });
    const html = await paused.text();
    expect(html.trim().startsWith(`<tr id="monitor-${id}" data-status="paused"`)).toBe(true);
    const del = await owner.post(`/monitors/${id}/delete`, { from: 'row', _confirm: '1' }, { 'hx-request': 'true' });
    expect(del.status).toBe(200);
    expect(await del.text()).toBe('');
  });

  it('pause and resume from a dashboard row without JS return to the dashboard, never to another site', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const row = await (await owner.get('/dashboard')).text();
    expect(row).toMatch(new RegExp(`action="/monitors/${id}/pause"[\\s\\S]*?name="back" value="/dashboard"`));
    // The row's own fields: back to the dashboard.
    const paused = await owner.post(`/monitors/${id}/pause`, { from: 'row', back: '/dashboard' });
    expect(paused.status).toBe(303);
    expect(paused.headers.get('location')).toBe('/dashboard');
    expect((await ctx.t.db.selectFrom('monitors').select('is_paused').where('id', '=', id).executeTakeFirstOrThrow()).is_paused).toBe(1);
    // Without a back field the same-site Referer decides (its query kept); another site's Referer or back is ignored.
    const viaReferer = await owner.post(`/monitors/${id}/resume`, { from: 'row' }, { referer: 'http://localhost/dashboard?view=all' });
    expect(viaReferer.headers.get('location')).toBe('/dashboard?view=all');
    for (const [form, headers] of [
      [{ from: 'row', back: 'https://evil.example/' }, {}],
      [{ from: 'row', back: '//evil.example/x' }, {}],
      [{ from: 'row', back: '/\\evil.example' }, {}],
      [{ from: 'row' }, { referer: 'https://evil.example/dashboard' }],
    ] as Array<[Record<string, string>, Record<string, string>]>) {
      const res = await owner.post(`/monitors/${id}/pause`, form, headers);
      expect(res.headers.get('location'), JSON.stringify([form, headers])).toBe('/dashboard');
    }
    // From the monitor page (no row field) it stays on the monitor page, as before.
    expect((await owner.post(`/monitors/${id}/resume`)).headers.get('location')).toBe(`/monitors/${id}`);
  });

  it('SaaS mode refuses private targets in the form, saying why', async () => {
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_dummy' });
    const owner = await persona(saas.app, 'owner');
    for (const url of ['http://127.0.0.1:8080/', 'http://169.254.169.254/latest/meta-data', 'http://localhost/', 'http://[::1]/']) {
      const res = await owner.post('/monitors', monitorForm({ url, interval_seconds: '300' }));
      expect(res.status, url).toBe(422);
      expect(await res.text()).toMatch(/not allowed on this instance|this StatusPing instance itself/);
    }
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(0);
  });

  it('SaaS mode: the free plan limit is shown by name, and 50 concurrent creations stop at 5', async () => {
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_dummy' });
    const owner = await persona(saas.app, 'owner');
    const slow = await owner.post('/monitors', monitorForm({ interval_seconds: '60' }));
    expect(slow.status).toBe(402);
    expect(await slow.text()).toContain('The Free plan allows intervals of 300 seconds or more.');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => owner.post('/monitors', monitorForm({ name: `m${i}`, interval_seconds: '300' }))));
    expect(results.filter((r) => r.status === 303)).toHaveLength(5);
    expect(results.filter((r) => r.status === 402)).toHaveLength(45);
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(5);
  });
});
