import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, MINUTE } from '../../src/lib/clock.ts';
import type { RateLimits } from '../../src/lib/rate-limit.ts';
import { createRateLimits } from '../../src/lib/rate-limit-store.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';

const START = Date.UTC(2030, 0, 1);

/**
 * Two factories over one DATABASE_URL stand for two web processes: on PostgreSQL they count in
 * one table; on SQLite (one web process) each keeps its own counts in memory.
 */
describe.each(testDbKinds())('rate limits of two web processes on %s', (kind) => {
  let t: TestDb;
  let clock: ManualClock;
  let a: RateLimits;
  let b: RateLimits;
  beforeEach(async () => {
    t = await openTestDb(kind);
    clock = new ManualClock(START);
    [a, b] = await Promise.all([createRateLimits(t.url, clock), createRateLimits(t.url, clock)]);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await t.close();
  });

  it('picks the store from the URL', () => {
    expect(a.store).toBe(kind === 'postgres' ? 'postgres' : 'memory');
  });

  if (kind === 'postgres') {
    it('share counts, undo and reset; limiters of other names and the next window are separate', async () => {
      const la = a.limiter('login-email', 5, MINUTE);
      const lb = b.limiter('login-email', 5, MINUTE);
      for (let i = 0; i < 3; i++) await la.take('email:a@example.com');
      expect(await lb.take('email:a@example.com')).toEqual({ allowed: true, limit: 5, remaining: 1, resetSeconds: 60 });
      await lb.take('email:a@example.com');
      expect(await la.retryAfter('email:a@example.com')).toBe(60);
      expect((await la.take('email:a@example.com')).allowed).toBe(false);
      expect((await b.limiter('login-ip', 5, MINUTE).take('email:a@example.com')).allowed).toBe(true);

      await lb.reset('email:a@example.com');
      expect(await la.take('email:a@example.com')).toMatchObject({ allowed: true, remaining: 4 });
      await lb.undo('email:a@example.com');
      expect(await la.retryAfter('email:a@example.com')).toBe(0);

      for (let i = 0; i < 5; i++) await la.hit('k');
      expect((await lb.take('k')).allowed).toBe(false);
      clock.advance(MINUTE);
      expect(await lb.take('k')).toMatchObject({ allowed: true, remaining: 4, resetSeconds: 60 });
    });

    it('parallel takes from both processes cannot slip past the limit', async () => {
      const la = a.limiter('unlock', 10, MINUTE);
      const lb = b.limiter('unlock', 10, MINUTE);
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? la : lb).take('page:203.0.113.1')));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    });
  } else {
    it('keep separate counts in memory', async () => {
      const la = a.limiter('login-email', 1, MINUTE);
      expect((await la.take('k')).allowed).toBe(true);
      expect((await la.take('k')).allowed).toBe(false);
      expect((await b.limiter('login-email', 1, MINUTE).take('k')).allowed).toBe(true);
    });
  }
});
