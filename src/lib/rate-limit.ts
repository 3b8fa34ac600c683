import type { Clock } from './clock.ts';

export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (also the Retry-After when not allowed). */
  resetSeconds: number;
}

/**
 * Fixed-window counters in memory. Enough for one web process; the keys are namespaced
 * strings such as `login:ip:1.2.3.4` or `login:email:a@b.c`.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait if `key` is over the limit, otherwise 0. Does not count a hit. */
  retryAfter(key: string): number {
    const now = this.clock.now();
    const e = this.hits.get(key);
    if (!e || e.resetAt <= now || e.count < this.limit) return 0;
    return Math.max(1, Math.ceil((e.resetAt - now) / 1000));
  }

  hit(key: string): void {
    const now = this.clock.now();
    const e = this.hits.get(key);
    if (!e || e.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.hits.size > 50_000) this.sweep(now);
    } else {
      e.count++;
    }
  }

  /**
   * Counts a hit unless `key` is already at `limit` (default: the limiter's), and reports
   * what the RateLimit-* headers say: the limit, hits left in this window, and seconds until
   * it resets. Callers with per-key limits (the API's plans) pass their own.
   */
  take(key: string, limit = this.limit): RateLimitState {
    const now = this.clock.now();
    let e = this.hits.get(key);
    if (!e || e.resetAt <= now) {
      e = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, e);
      if (this.hits.size > 50_000) this.sweep(now);
    }
    const allowed = e.count < limit;
    if (allowed) e.count++;
    return { allowed, limit, remaining: Math.max(0, limit - e.count), resetSeconds: Math.max(1, Math.ceil((e.resetAt - now) / 1000)) };
  }

  /** Takes back one hit, e.g. when an attempt counted up front turned out to succeed. */
  undo(key: string): void {
    const e = this.hits.get(key);
    if (e && e.count > 0) e.count--;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, e] of this.hits) if (e.resetAt <= now) this.hits.delete(k);
  }
}
