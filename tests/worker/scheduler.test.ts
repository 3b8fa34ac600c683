import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMonitor, deleteMonitor, requestCheck, setPaused, updateMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { offsetSeconds, Scheduler } from '../../src/worker/scheduler.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SELF_HOSTED, OPEN_GUARD, TEST_CHECKS, TEST_EVENTS } from '../helpers/fixtures.ts';
import { startTarget, type Target } from '../helpers/target.ts';

let target: Target;
beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 8000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met in time');
};

describe('offsets', () => {
  it('are stable per monitor and spread monitors of one interval over its seconds', () => {
    expect(offsetSeconds(42, 30)).toBe(offsetSeconds(42, 30));
    const seconds = new Set(Array.from({ length: 3000 }, (_, i) => offsetSeconds(i + 1, 30)));
    expect(seconds.size).toBe(30);
    const perSecond = new Map<number, number>();
    for (let i = 1; i <= 3000; i++) perSecond.set(offsetSeconds(i, 30), (perSecond.get(offsetSeconds(i, 30)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThan(200);
  });
});

describe.each(testDbKinds())('scheduler on %s', (kind) => {
  let t: TestDb;
  let scheduler: Scheduler | undefined;
  const deps = () => ({ events: TEST_EVENTS, db: t.db, clock: systemClock, policy: SELF_HOSTED });
  beforeEach(async () => {
    t = await openTestDb(kind);
    target.hits.clear();
    target.delayMs = 0;
    target.maxConcurrent = 0;
  });
  afterEach(async () => {
    await scheduler?.stop(1000);
    scheduler = undefined;
    await t.close();
  });

  function startScheduler(reconcileMs = 50) {
    const checked: number[] = [];
    scheduler = new Scheduler({
      db: t.db,
      clock: systemClock,
      logger: silentLogger,
      concurrency: 50,
      reconcileMs,
      check: async (id) => {
        checked.push(id);
        return runCheck({ db: t.db, clock: systemClock, logger: silentLogger, probe: { guard: OPEN_GUARD }, ...TEST_CHECKS }, id);
      },
    });
    return { s: scheduler, checked };
  }

  it('restores jobs at start and checks each overdue monitor once, not once per missed run', async () => {
    const { account } = await makeAccount(t.db);
    const a = await createMonitor(deps(), account.id, { name: 'a', url: `${target.url}/ok`, interval_seconds: 3600 });
    const b = await createMonitor(deps(), account.id, { name: 'b', url: `${target.url}/ok`, interval_seconds: 3600 });
    // Pretend the last checks were a day ago: 24 runs were missed.
    await t.db.updateTable('monitors').set({ last_checked_at: Date.now() - 86_400_000 }).execute();
    const { s, checked } = startScheduler();
    await s.start();
    expect(s.size).toBe(2);
    await waitFor(() => checked.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(checked.sort()).toEqual([a.id, b.id].sort());
  });

  it('does not re-check a monitor checked within its interval at start', async () => {
    const { account } = await makeAccount(t.db);
    await createMonitor(deps(), account.id, { name: 'a', url: `${target.url}/ok`, interval_seconds: 3600 });
    await t.db.updateTable('monitors').set({ last_checked_at: Date.now() - 1000 }).execute();
    const { s, checked } = startScheduler();
    await s.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(checked).toEqual([]);
  });

  it('picks up new, rescheduled, paused, deleted monitors and check-now requests', async () => {
    const { account } = await makeAccount(t.db);
    const { s, checked } = startScheduler();
    await s.start();
    expect(s.size).toBe(0);

    const m = await createMonitor(deps(), account.id, { name: 'n', url: `${target.url}/ok`, interval_seconds: 3600 });
    await waitFor(() => s.size === 1 && checked.includes(m.id)); // new monitor: scheduled and checked at once

    const before = checked.length;
    await requestCheck(deps(), account.id, m.id);
    await waitFor(() => checked.length > before);

    await updateMonitor(deps(), account.id, m.id, { name: 'n', url: `${target.url}/ok`, interval_seconds: 1800 });
    await new Promise((r) => setTimeout(r, 200));
    expect(s.size).toBe(1);

    await setPaused(deps(), account.id, m.id, true);
    await waitFor(() => s.size === 0);
    await setPaused(deps(), account.id, m.id, false);
    await waitFor(() => s.size === 1);

    await deleteMonitor(deps(), account.id, m.id);
    await waitFor(async () => {
      await s.reconcile();
      return s.size === 0;
    }, 15_000);
  });

  it('runs the schedule on time and never runs two checks of one monitor at once', async () => {
    const { account } = await makeAccount(t.db);
    target.delayMs = 1500; // each check takes longer than the 1 s interval
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: systemClock, policy: { ...SELF_HOSTED, minIntervalSeconds: 1 } }, account.id, {
      name: 'fast',
      url: `${target.url}/ok`,
      interval_seconds: 1,
      timeout_seconds: 1,
    });
    const { s } = startScheduler();
    await s.start();
    for (let i = 0; i < 5; i++) s.trigger(m.id, null);
    await new Promise((r) => setTimeout(r, 3500));
    expect(target.maxConcurrent).toBe(1);
    expect(target.hits.get('/ok') ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('stop() waits for an in-flight check to be stored', async () => {
    const { account } = await makeAccount(t.db);
    target.delayMs = 400;
    const m = await createMonitor(deps(), account.id, { name: 's', url: `${target.url}/ok`, interval_seconds: 3600 });
    const { s } = startScheduler();
    await s.start();
    await waitFor(() => s.running === 1);
    await s.stop(5000);
    const rows = await t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ok).toBe(1);
  });
});
