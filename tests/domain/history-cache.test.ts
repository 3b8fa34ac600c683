import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addToRollup } from '../../src/domain/checks/checks.repository.ts';
import { historyFor, PastDaysCache } from '../../src/domain/checks/uptime.service.ts';
import { DAY } from '../../src/lib/clock.ts';
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
    const cache = new PastDaysCache();
    const plain = await historyFor(t.db, [a.id, b.id], noon);
    expect(await historyFor(t.db, [a.id, b.id], noon, true, cache)).toEqual(plain);
    expect(plain.get(b.id)!.uptime['90d']).toBeNull();

    // Today and yesterday change after the first read; the cached answer follows them.
    await check(a.id, noon, false);
    await check(a.id, noon - DAY, false);
    await check(b.id, noon - DAY, true);
    const fresh = await historyFor(t.db, [a.id, b.id], noon);
    const cached = await historyFor(t.db, [a.id, b.id], noon, true, cache);
    expect(cached).toEqual(fresh);
    expect(cached.get(a.id)!.days[89]!.uptime).toBeCloseTo(33.33, 1);
    expect(cached.get(b.id)!.days[88]!.uptime).toBe(100);
  });

  it('settled days are read once per day: a new day reads them again', async () => {
    const { account } = await makeAccount(t.db);
    const a = await makeMonitor(t.db, account.id);
    await check(a.id, noon - 5 * DAY, true);
    const cache = new PastDaysCache();
    expect((await historyFor(t.db, [a.id], noon, true, cache)).get(a.id)!.days[84]!.uptime).toBe(100);
    // A late write to a settled day (only a restore or manual import does this) shows the next day.
    await check(a.id, noon - 5 * DAY, false);
    expect((await historyFor(t.db, [a.id], noon, true, cache)).get(a.id)!.days[84]!.uptime).toBe(100);
    const tomorrow = await historyFor(t.db, [a.id], noon + DAY, true, cache);
    expect(tomorrow.get(a.id)!.days[83]!.uptime).toBe(50);
    expect(tomorrow).toEqual(await historyFor(t.db, [a.id], noon + DAY));
  });

  it('keeps at most its bound of monitors', async () => {
    const cache = new PastDaysCache(2);
    cache.set(1, noon, null);
    cache.set(2, noon, null);
    cache.set(3, noon, null);
    expect(cache.get(1, noon)).toBeUndefined();
    expect(cache.get(3, noon)).toEqual({ today: noon, past: null });
    expect(cache.get(3, noon + DAY)).toBeUndefined();
  });
});
