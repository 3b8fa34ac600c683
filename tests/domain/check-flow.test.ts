import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { describe, expect, it } from 'vitest';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { historyFor, rangeSeries } from '../../src/domain/checks/uptime.service.ts';
import { deleteMonitor, setPaused } from '../../src/domain/monitors/monitors.service.ts';
import { HOUR } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { useCheckFlow } from '../helpers/check-flow.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, OPEN_GUARD, SELF_HOSTED } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('check flow on %s', (kind) => {
  const ctx = useCheckFlow(kind);
  const { check } = ctx;
  const incidentsOf = (id: number) => ctx.t.db.selectFrom('incidents').selectAll().where('monitor_id', '=', id).orderBy('id').execute();

  it('goes down after 3 real failures, opens one incident, and the first success closes it', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { url: `${ctx.target.url}/flip` });
    expect(m.status).toBe('pending');

    await check(m.id);
    expect((await ctx.t.db.selectFrom('monitors').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status).toBe('up');

    ctx.target.healthy = false;
    const first = await check(m.id);
    await check(m.id);
    expect(await incidentsOf(m.id)).toHaveLength(0);
    const third = await check(m.id);
    expect(third).toMatchObject({ kind: 'recorded', transition: 'went_down', status: 'down' });
    await check(m.id); // a 4th failure opens nothing new
    const open = await incidentsOf(m.id);
    expect(open).toHaveLength(1);
    expect(open[0]!.resolved_at).toBeNull();
    expect(open[0]!.cause).toBe('Unexpected status 503 (expected 200-399)');
    // The outage started at the first failure of the streak.
    expect(open[0]!.started_at).toBe(first.kind === 'recorded' ? first.checkedAt : -1);

    ctx.target.healthy = true;
    const back = await check(m.id);
    expect(back).toMatchObject({ kind: 'recorded', transition: 'recovered', status: 'up' });
    const closed = await incidentsOf(m.id);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.resolved_at).toBe(back.kind === 'recorded' ? back.checkedAt : -1);

    const results = await ctx.t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).execute();
    expect(results).toHaveLength(6);
    expect(results.filter((r) => r.ok === 0)).toHaveLength(4);
  });

  it('maintains hourly and daily rollups as results arrive', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id);
    const base = Date.UTC(2026, 10, 20, 10, 5);
    const rs = [
      { ok: true, ms: 100 },
      { ok: true, ms: 300 },
      { ok: false, ms: 50 },
      { ok: true, ms: 200 },
    ];
    for (const [i, r] of rs.entries()) {
      await recordResult(ctx.t.db, m.id, { ok: r.ok, statusCode: r.ok ? 200 : 500, responseMs: r.ms, error: r.ok ? null : 'boom' }, base + i * 1000, TEST_CHECKS);
    }
    await recordResult(ctx.t.db, m.id, { ok: true, statusCode: 200, responseMs: 10, error: null }, base + HOUR, TEST_CHECKS);
    const hourly = await ctx.t.db.selectFrom('rollups_hourly').selectAll().where('monitor_id', '=', m.id).orderBy('bucket_start').execute();
    expect(hourly).toHaveLength(2);
    expect(hourly[0]).toMatchObject({ checks: 4, failures: 1, rt_count: 3, rt_sum: 600, rt_min: 100, rt_max: 300 });
    const daily = await ctx.t.db.selectFrom('rollups_daily').selectAll().where('monitor_id', '=', m.id).execute();
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ checks: 5, failures: 1, rt_min: 10, rt_max: 300 });

    const points = await rangeSeries(ctx.t.db, m.id, base + HOUR + 1000, '24h');
    expect(points).toHaveLength(2);
    expect(points[0]).toMatchObject({ at: Date.UTC(2026, 10, 20, 10), uptime: 75 });
    expect(points[0]!.p50).toBe(200);
    expect(points[0]!.p99).toBe(300);
    expect(points[1]).toMatchObject({ p50: 10, p95: 10, uptime: 100 });
    const h = (await historyFor(ctx.t.db, [m.id], base + HOUR + 1000)).get(m.id)!;
    expect(h.uptime['24h']).toBe(80);
    expect(h.uptime['90d']).toBe(80);
    expect(h.days).toHaveLength(90);
    expect(h.days.at(-1)).toEqual({ date: '2026-11-20', uptime: 80 });
    expect(h.days[0]!.uptime).toBeNull();
  });

  it('a paused monitor discards a result that was in flight, and a resumed outage is not opened twice', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { url: `${ctx.target.url}/flip`, failure_threshold: 2 });
    ctx.target.healthy = false;
    await check(m.id);
    await check(m.id);
    expect(await incidentsOf(m.id)).toHaveLength(1);
    await setPaused({ db: ctx.t.db, clock: ctx.clock, policy: SELF_HOSTED }, account.id, m.id, true);
    expect(await recordResult(ctx.t.db, m.id, { ok: true, statusCode: 200, responseMs: 5, error: null }, ctx.clock.now(), TEST_CHECKS)).toBeNull();
    await setPaused({ db: ctx.t.db, clock: ctx.clock, policy: SELF_HOSTED }, account.id, m.id, false);
    await check(m.id); // still failing after resume: same incident
    expect(await incidentsOf(m.id)).toHaveLength(1);
    ctx.target.healthy = true;
    await check(m.id);
    const all = await incidentsOf(m.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.resolved_at).not.toBeNull();
  });

  it('says what each run came to: paused and deleted monitors are gone, a shutdown aborts, nothing is stored', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { url: `${ctx.target.url}/flip` });
    const deps = { db: ctx.t.db, clock: ctx.clock, logger: silentLogger, probe: { guard: OPEN_GUARD }, ...TEST_CHECKS };
    const stopped = new AbortController();
    stopped.abort();
    expect(await runCheck(deps, m.id, stopped.signal)).toEqual({ kind: 'aborted', reason: 'shutdown' });
    await setPaused({ db: ctx.t.db, clock: ctx.clock, policy: SELF_HOSTED }, account.id, m.id, true);
    expect(await runCheck(deps, m.id)).toEqual({ kind: 'gone', reason: 'paused' });
    await deleteMonitor({ db: ctx.t.db, clock: ctx.clock, policy: SELF_HOSTED }, account.id, m.id);
    expect(await runCheck(deps, m.id)).toEqual({ kind: 'gone', reason: 'deleted' });
    expect(await ctx.t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).execute()).toEqual([]);
  });

  it('two results in the same millisecond are both stored', async () => {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id);
    const at = Date.UTC(2026, 10, 20, 10);
    await recordResult(ctx.t.db, m.id, { ok: true, statusCode: 200, responseMs: 5, error: null }, at, TEST_CHECKS);
    await recordResult(ctx.t.db, m.id, { ok: false, statusCode: 500, responseMs: 5, error: 'x' }, at, TEST_CHECKS);
    const rows = await ctx.t.db.selectFrom('check_results').select('checked_at').where('monitor_id', '=', m.id).orderBy('checked_at').execute();
    expect(rows.map((r) => r.checked_at)).toEqual([at, at + 1]);
  });
});
