import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addToRollup } from '../../src/domain/checks/checks.repository.ts';
import { historyFor, type MonitorHistory, SettledHistoryCache } from '../../src/domain/checks/uptime.service.ts';
import { DAY, HOUR } from '../../src/lib/clock.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('status history with settled days cached (%s)', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  const noon = Date.UTC(2026, 10, 20, 12);
  // What a reader sees: the windows and bars (a cached build also names its shared settled part).
  const seen = (m: Map<number, MonitorHistory>) => new Map([...m].map(([id, h]) => [id, { uptime: h.uptime, days: h.days }]));
  const check = (monitorId: number, at: number, ok: boolean) =>
    addToRollup(t.db, 'rollups_daily', { monitorId, checkedAt: at, ok, statusCode: ok ? 200 : 500, responseMs: 50, error: ok ? null : 'x' });

  it('gives the same bars and windows as reading every day, and re-reads yesterday and today', async () => {
    const { account } = await makeAccount(t.db);
    const a = await makeMonitor(t.db, account.id, { name: 'A' });
    const b = await makeMonitor(t.db, account.id, { name: 'B (no history)' });
    for (let d = 0; d < 90; d += 3) {
      await check(a.id, noon - d * DAY, true);
      if (d % 9 === 0) await check(a.id, noon - d * DAY, false);
    }
    const cache = new SettledHistoryCache();
    const plain = await historyFor(t.db, [a.id, b.id], noon);
    expect(seen(await historyFor(t.db, [a.id, b.id], noon, true, cache))).toEqual(seen(plain));
    expect(plain.get(b.id)!.uptime['90d']).toBeNull();

    // Today and yesterday change after the first read; the cached answer follows them.
    await check(a.id, noon, false);
    await check(a.id, noon - DAY, false);
    await check(b.id, noon - DAY, true);
    const fresh = await historyFor(t.db, [a.id, b.id], noon);
    const cached = await historyFor(t.db, [a.id, b.id], noon, true, cache);
    expect(seen(cached)).toEqual(seen(fresh));
    expect(cached.get(a.id)!.days[89]!.uptime).toBeCloseTo(33.33, 1);
    expect(cached.get(b.id)!.days[88]!.uptime).toBe(100);
  });

  it('settled days are read once per day: a new day reads them again', async () => {
    const { account } = await makeAccount(t.db);
    const a = await makeMonitor(t.db, account.id);
    await check(a.id, noon - 5 * DAY, true);
    const cache = new SettledHistoryCache();
    expect((await historyFor(t.db, [a.id], noon, true, cache)).get(a.id)!.days[84]!.uptime).toBe(100);
    // A late write to a settled day (only a restore or manual import does this) shows the next day.
    await check(a.id, noon - 5 * DAY, false);
    expect((await historyFor(t.db, [a.id], noon, true, cache)).get(a.id)!.days[84]!.uptime).toBe(100);
    const tomorrow = await historyFor(t.db, [a.id], noon + DAY, true, cache);
    expect(tomorrow.get(a.id)!.days[83]!.uptime).toBe(50);
    expect(seen(tomorrow)).toEqual(seen(await historyFor(t.db, [a.id], noon + DAY)));
  });

  it('24 h uptime: settled hours read once per hour, the last two hours every time, the window slides', async () => {
    const { account } = await makeAccount(t.db);
    const a = await makeMonitor(t.db, account.id);
    const hourly = (at: number, ok: boolean) =>
      addToRollup(t.db, 'rollups_hourly', { monitorId: a.id, checkedAt: at, ok, statusCode: ok ? 200 : 500, responseMs: 50, error: ok ? null : 'x' });
    await hourly(noon - 23 * HOUR, false); // oldest hour of the window
    await hourly(noon - 5 * HOUR, true);
    const cache = new SettledHistoryCache();
    const uptime24 = async (now: number) => (await historyFor(t.db, [a.id], now, false, cache)).get(a.id)!.uptime['24h'];
    expect(await uptime24(noon)).toBe(50);
    // The current and the previous hour are always re-read.
    await hourly(noon, true);
    await hourly(noon - HOUR, true);
    expect(await uptime24(noon + 60_000)).toBe(75);
    // A late write to a settled hour shows from the next hour on, as an uncached read would.
    await hourly(noon - 4 * HOUR, false);
    expect(await uptime24(noon + 120_000)).toBe(75);
    // Next hour: the oldest hour (the failure) leaves the window, the late write counts.
    const next = noon + HOUR;
    expect(await uptime24(next)).toBe(75);
    expect((await historyFor(t.db, [a.id], next)).get(a.id)!.uptime['24h']).toBe(75);
  });

  it('a cached build shares its settled bars between builds of the same day, and not across days', async () => {
    const { account } = await makeAccount(t.db);
    const a = await makeMonitor(t.db, account.id);
    await check(a.id, noon - 10 * DAY, true);
    const cache = new SettledHistoryCache();
    const first = (await historyFor(t.db, [a.id], noon, true, cache)).get(a.id)!;
    const second = (await historyFor(t.db, [a.id], noon + 5_000, true, cache)).get(a.id)!;
    expect(first.settledDays).toHaveLength(88);
    expect(second.settledDays).toBe(first.settledDays);
    expect(second.days.slice(0, 88)).toEqual([...first.settledDays!]);
    expect(Object.isFrozen(first.settledDays![0])).toBe(true);
    const tomorrow = (await historyFor(t.db, [a.id], noon + DAY, true, cache)).get(a.id)!;
    expect(tomorrow.settledDays).not.toBe(first.settledDays);
    expect(tomorrow.days[78]!.uptime).toBe(100);
  });

  it('keeps at most its bound of monitors', async () => {
    const cache = new SettledHistoryCache(2);
    cache.set(1, noon, null);
    cache.set(2, noon, null);
    cache.set(3, noon, null);
    expect(cache.get(1, noon)).toBeUndefined();
    expect(cache.get(3, noon)).toEqual({ today: noon, past: null, sums: null });
    cache.setHours(1, noon, null);
    cache.setHours(2, noon, null);
    cache.setHours(3, noon, { checks: 1, failures: 0 });
    expect(cache.hoursOf(1, noon)).toBeUndefined();
    expect(cache.hoursOf(3, noon)?.sums).toEqual({ checks: 1, failures: 0 });
    expect(cache.hoursOf(3, noon + HOUR)).toBeUndefined();
    expect(cache.get(3, noon + DAY)).toBeUndefined();
  });
});
