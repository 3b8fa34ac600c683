import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { OPEN_GUARD, TEST_CHECKS } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('heartbeat monitors on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function heartbeat(over: Record<string, string> = {}) {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', { type: 'heartbeat', name: 'Nightly backup', interval_seconds: '3600', grace_seconds: '300', failure_threshold: '1', ...over });
    expect(res.status).toBe(303);
    const id = Number(res.headers.get('location')!.split('/').pop());
    const m = await ctx.t.db.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { owner, id, token: m.push_token! };
  }
  const results = (id: number) => ctx.t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', id).orderBy('checked_at').execute();

  it('shows the full push URL and records pings, runs and reported failures', async () => {
    const { owner, id, token } = await heartbeat();
    expect(token).toMatch(/^[\w-]{20,}$/);
    const page = await (await owner.get(`/monitors/${id}`)).text();
    expect(page).toContain(`data-testid="push-url">http://localhost:3000/push/${token}</p>`);

    const ping = await ctx.built.app.request(`/push/${token}`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toEqual({ ok: true, recorded: true });
    expect(ping.headers.getSetCookie()).toEqual([]);

    await ctx.built.app.request(`/push/${token}/start`, { method: 'POST' });
    ctx.built.clock.advance(42_000);
    await ctx.built.app.request(`/push/${token}`, { method: 'POST' });
    ctx.built.clock.advance(1000);
    await ctx.built.app.request(`/push/${token}/fail`, { method: 'POST', body: 'disk full\n' });
    const rows = await results(id);
    expect(rows.map((r) => [r.ok, r.response_ms])).toEqual([[1, 0], [1, 42_000], [0, 0]]);
    expect(rows[2]!.error).toBe('The job reported a failure: disk full');
    expect((await ctx.t.db.selectFrom('incidents').selectAll().execute())).toHaveLength(1);
  });

  it('shows pings and run times, not response times: no charts, no "0 ms", a schedule in words', async () => {
    const { owner, id, token } = await heartbeat();
    let page = await (await owner.get(`/monitors/${id}`)).text();
    expect(page).toContain('Heartbeat (push) · a ping expected every 1 h, 300 s grace · public');
    expect(page).not.toContain('Response time');
    expect(page).toContain('data-testid="pings"');
    expect(page).toContain('Last ping: none yet · last run time: not measured');

    await ctx.built.app.request(`/push/${token}`);
    let row = await (await owner.get('/dashboard')).text();
    expect(row).not.toContain('0 ms');
    expect(row).toMatch(/<td class="[^"]*tabular-nums[^"]*" title="[^"]*">—<\/td>/);
    expect(row).toContain('ping <time');

    await ctx.built.app.request(`/push/${token}/start`, { method: 'POST' });
    ctx.built.clock.advance(65_000);
    await ctx.built.app.request(`/push/${token}`, { method: 'POST' });
    row = await (await owner.get('/dashboard')).text();
    expect(row).toContain('run 1m 5s');
    page = await (await owner.get(`/monitors/${id}`)).text();
    expect(page).toContain('last run time: 1m 5s');
    expect(page).not.toContain('0 ms');
    expect(page).toContain('<th>Run time</th>');

    const cron = await heartbeat({ name: 'Cron job', cron: '0 3 * * *', timezone: 'Europe/Paris', interval_seconds: '86400' });
    const cronPage = await (await cron.owner.get(`/monitors/${cron.id}`)).text();
    expect(cronPage).toContain('Heartbeat (push) · a ping expected per cron &quot;0 3 * * *&quot; (Europe/Paris), 300 s grace');
  });

  it('the push URL has a Copy button that only JavaScript reveals; the URL stays selectable text', async () => {
    const { owner, id, token } = await heartbeat();
    const page = await (await owner.get(`/monitors/${id}`)).text();
    expect(page).toMatch(new RegExp(`<p [^>]*id="push-url"[^>]*>http://localhost:3000/push/${token}</p>`));
    expect(page).toContain('<button type="button" class="btn btn-sm" data-copy="push-url" aria-label="Copy the push URL" hidden>Copy</button>');
    expect(page).toContain('<script src="/static/copy.js" defer></script>');
    expect(page).not.toMatch(/<script>|onclick=/);
    const js = await ctx.built.app.request('/static/copy.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(await js.text()).toContain('button[data-copy]');
  });

  it('the edit form of a heartbeat has no timeout or retries, and saves without them', async () => {
    const { owner, id } = await heartbeat();
    const form = await (await owner.get(`/monitors/${id}/edit`)).text();
    expect(form).toContain('for="f-grace_seconds"');
    expect(form).not.toContain('f-timeout_seconds');
    expect(form).not.toContain('f-retries');
    const res = await owner.post(`/monitors/${id}/edit`, { type: 'heartbeat', name: 'Nightly backup', interval_seconds: '7200', grace_seconds: '120', failure_threshold: '1', is_public: 'true' });
    expect(res.status).toBe(303);
    const m = await ctx.t.db.selectFrom('monitors').select(['interval_s', 'settings']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(m.interval_s).toBe(7200);
    expect(JSON.parse(m.settings).grace_seconds).toBe(120);
    const invalid = await (await owner.post(`/monitors/${id}/edit`, { type: 'heartbeat', name: '', interval_seconds: '7200' })).text();
    expect(invalid).not.toContain('f-timeout_seconds');
  });

  it('a missed ping past the grace period is a failure; the next ping recovers', async () => {
    const { id, token } = await heartbeat();
    const deps = { db: ctx.t.db, clock: ctx.built.clock, logger: silentLogger, probe: { guard: OPEN_GUARD }, ...TEST_CHECKS };
    ctx.built.clock.advance(3600_000 + 299_000);
    expect(await runCheck(deps, id)).toEqual({ kind: 'skipped', reason: 'not_due' }); // within the grace period
    ctx.built.clock.advance(2000);
    expect(await runCheck(deps, id)).toMatchObject({ kind: 'recorded', status: 'down', transition: 'went_down' });
    const inc = await ctx.t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    expect(inc.cause).toMatch(/^No ping for 3901 s \(expected every 3600 s, 300 s grace\)$/);
    await ctx.built.app.request(`/push/${token}`);
    expect((await ctx.t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow()).resolved_at).not.toBeNull();
  });

  it('a cron schedule: the run due longer than the grace ago must have pinged', async () => {
    // Every day at 03:00 UTC, 10 minutes of grace.
    const day = Date.UTC(2030, 0, 10);
    ctx.built.clock.set(day + 2 * 3600_000); // created at 02:00
    const { id, token } = await heartbeat({ cron: '0 3 * * *', timezone: 'UTC', grace_seconds: '600', interval_seconds: '86400' });
    const deps = { db: ctx.t.db, clock: ctx.built.clock, logger: silentLogger, probe: { guard: OPEN_GUARD }, ...TEST_CHECKS };
    ctx.built.clock.set(day + 3 * 3600_000 + 5 * 60_000); // 03:05, within the grace
    expect(await runCheck(deps, id)).toEqual({ kind: 'skipped', reason: 'not_due' });
    ctx.built.clock.set(day + 3 * 3600_000 + 11 * 60_000); // 03:11: the 03:00 run never pinged
    expect(await runCheck(deps, id)).toMatchObject({ kind: 'recorded', status: 'down' });
    const inc = await ctx.t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    expect(inc.cause).toBe('No ping for the run due at 2030-01-10T03:00:00.000Z ("0 3 * * *", 600 s grace)');
    await ctx.built.app.request(`/push/${token}`);
    ctx.built.clock.set(day + 20 * 3600_000);
    expect(await runCheck(deps, id)).toEqual({ kind: 'skipped', reason: 'not_due' });
  });

  it('unknown tokens are 404 JSON, and pings are rate-limited per token', async () => {
    const { token } = await heartbeat();
    const missing = await ctx.built.app.request('/push/not-a-real-token-at-all');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'Heartbeat not found' } });
    for (let i = 0; i < 59; i++) await ctx.built.app.request(`/push/${token}/start`);
    expect((await ctx.built.app.request(`/push/${token}/start`)).status).toBe(200);
    const limited = await ctx.built.app.request(`/push/${token}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
