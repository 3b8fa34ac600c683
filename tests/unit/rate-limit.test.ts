import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, MINUTE, SECOND } from '../../src/lib/clock.ts';
import { RateLimitError } from '../../src/lib/errors.ts';
import { DEFAULT_MAX_KEYS, memoryRateLimits, spend } from '../../src/lib/rate-limit.ts';

const START = Date.UTC(2030, 0, 1); // a whole minute, so windows of the default grid start here

describe('rate limiter windows (memory store)', () => {
  it('counts up to the limit, refuses with the seconds left, and starts afresh when our clock passes the window', async () => {
    const clock = new ManualClock(START);
    const l = memoryRateLimits(clock).limiter('test', 3, MINUTE);
    expect(await l.take('a')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
    clock.advance(20 * SECOND);
    await l.take('a');
    expect(await l.retryAfter('a')).toBe(0);
    expect(await l.take('a')).toEqual({ allowed: true, limit: 3, remaining: 0, resetSeconds: 40 });
    expect(await l.retryAfter('a')).toBe(40);
    expect(await l.take('a')).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 40 });
    expect((await l.take('b')).allowed).toBe(true); // keys are separate
    clock.advance(40 * SECOND);
    expect(await l.take('a')).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
  });

  it('the grid starts at `origin`, and a per-call limit overrides the limiter’s', async () => {
    const clock = new ManualClock(START + 12_345);
    const l = memoryRateLimits(clock, { origin: clock.now() }).limiter('test', 100, MINUTE);
    expect(await l.take('k', 2)).toMatchObject({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    await l.take('k', 2);
    expect(await l.take('k', 2)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('hit, undo and reset; undo after the window has moved on takes nothing from the new one', async () => {
    const clock = new ManualClock(START);
    const l = memoryRateLimits(clock).limiter('test', 2, MINUTE);
    await l.hit('k');
    await l.hit('k');
    expect(await l.retryAfter('k')).toBe(60);
    await l.undo('k');
    expect(await l.retryAfter('k')).toBe(0);
    await l.hit('k');
    await l.reset('k');
    expect(await l.take('k')).toMatchObject({ remaining: 1 });
    clock.advance(MINUTE);
    await l.undo('k'); // nothing counted in this window: no credit either
    await l.take('k');
    expect(await l.take('k')).toMatchObject({ allowed: true, remaining: 0 });
    expect((await l.take('k')).allowed).toBe(false);
  });

  it('parallel takes cannot slip past the limit', async () => {
    const l = memoryRateLimits(new ManualClock(START)).limiter('test', 10, MINUTE);
    const results = await Promise.all(Array.from({ length: 50 }, () => l.take('k')));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('spend counts every key or none, and waits for the longest spent one', async () => {
    const clock = new ManualClock(START);
    const limits = memoryRateLimits(clock);
    const perIp = limits.limiter('ip', 5, MINUTE);
    const perUser = limits.limiter('user', 1, 10 * MINUTE);
    await spend([perIp, 'ip'], [perUser, 'u']);
    const refused = await spend([perIp, 'ip'], [perUser, 'u']).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitError);
    expect((refused as RateLimitError).retryAfterSeconds).toBe(600);
    // The refused attempt's hit on the IP was taken back: 1 counted, 4 left.
    expect(await perIp.take('ip')).toMatchObject({ remaining: 3 });
  });

  it('one limiter per name; the same name with another limit is a mistake', () => {
    const limits = memoryRateLimits(new ManualClock(START));
    expect(limits.limiter('x', 1, MINUTE)).toBe(limits.limiter('x', 1, MINUTE));
    expect(() => limits.limiter('x', 2, MINUTE)).toThrow(/already 1 per 60000 ms/);
    expect(() => limits.limiter('Not A Name', 1, MINUTE)).toThrow(/lower-case/);
  });

  it('keys of any length and content are fine (they are hashed)', async () => {
    const l = memoryRateLimits(new ManualClock(START)).limiter('test', 1, MINUTE);
    const long = `email:${'x'.repeat(10_000)}@example.com`;
    expect((await l.take(long)).allowed).toBe(true);
    expect((await l.take(long)).allowed).toBe(false);
    expect((await l.take(`${long}.`)).allowed).toBe(true);
  });
});

describe('memory cap', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('200,000 distinct keys stay fast and never hold more than the cap; held keys keep counting, new ones are refused', async () => {
    const clock = new ManualClock(START);
    const l = memoryRateLimits(clock).limiter('flood', 5, MINUTE);
    for (let i = 0; i < 3; i++) await l.take('victim@example.com');
    const started = performance.now();
    let refused = 0;
    for (let i = 0; i < 200_000; i++) if (!(await l.take(`made-up-${i}@example.com`)).allowed) refused++;
    const elapsed = performance.now() - started;
    expect(l.keyCount).toBe(DEFAULT_MAX_KEYS);
    expect(refused).toBe(200_000 - (DEFAULT_MAX_KEYS - 1));
    // The count that was holding someone back was not pushed out by the flood.
    expect(await l.take('victim@example.com')).toMatchObject({ allowed: true, remaining: 1 });
    await l.take('victim@example.com');
    expect((await l.take('victim@example.com')).allowed).toBe(false);
    // A newcomer during the flood is limited, with a Retry-After, and is not stored.
    expect(await l.retryAfter('newcomer')).toBe(60);
    await l.hit('newcomer');
    expect(l.keyCount).toBe(DEFAULT_MAX_KEYS);
    expect(elapsed).toBeLessThan(5000); // the old limiter took 68 s for 120,000 keys
  });

  it('room comes back once the flooded window has expired in the store', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: START });
    const clock = { now: () => Date.now() };
    const l = memoryRateLimits(clock, { maxKeys: 100 }).limiter('flood', 1, MINUTE);
    for (let i = 0; i < 150; i++) await l.take(`k${i}`);
    expect(l.keyCount).toBe(100);
    expect((await l.take('late')).allowed).toBe(false);
    vi.advanceTimersByTime(MINUTE + 2 * SECOND);
    expect(l.keyCount).toBe(0);
    expect((await l.take('late')).allowed).toBe(true);
  });

  it('maxKeys can be set per limiter', async () => {
    const limits = memoryRateLimits(new ManualClock(START), { maxKeys: 10 });
    const small = limits.limiter('small', 5, MINUTE);
    const big = limits.limiter('big', 5, MINUTE, { maxKeys: 20 });
    for (let i = 0; i < 30; i++) await Promise.all([small.take(`k${i}`), big.take(`k${i}`)]);
    expect([small.keyCount, big.keyCount]).toEqual([10, 20]);
  });
});
