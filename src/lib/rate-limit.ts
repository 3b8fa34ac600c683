import { createHash } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from './clock.ts';
import { RateLimitError } from './errors.ts';

export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (also the Retry-After when not allowed). */
  resetSeconds: number;
}

/**
 * Most keys one memory limiter holds at once (~550 bytes each, so ~27 MB at the cap). The
 * keys of a limiter are made up by clients (addresses, /64s, emails), so without a cap a
 * flood of distinct ones would grow the process without bound.
 */
export const DEFAULT_MAX_KEYS = 50_000;

/**
 * The memory cap. When a limiter is full, a key it does not hold yet is refused as if it
 * were over its limit; keys it holds keep counting, and room comes back as old windows
 * expire. Evicting the oldest keys instead would let a flood of made-up keys push out the
 * very counts that hold back a password guesser; refusing fails closed (new clients wait at
 * most one window during a flood) and can never reset a count. Every check is O(1).
 */
class MemoryCap {
  private readonly records: Map<string, unknown>;
  constructor(private readonly rl: RateLimiterMemory, readonly max: number) {
    // rate-limiter-flexible has no public key count; fail loudly if its internals move.
    const records = (rl as unknown as { _memoryStorage?: { _storage?: unknown } })._memoryStorage?._storage;
    if (!(records instanceof Map)) throw new Error('rate-limiter-flexible changed: RateLimiterMemory has no _memoryStorage._storage Map for the memory cap (src/lib/rate-limit.ts)');
    this.records = records;
  }
  get size(): number {
    return this.records.size;
  }
  admits(storeKey: string): boolean {
    return this.records.size < this.max || this.records.has(this.rl.getKey(storeKey));
  }
}

/**
 * Fixed-window counters kept by rate-limiter-flexible (its memory store, or a table every web
 * process shares). Windows follow our clock, not the library's Date.now(): the window's index
 * is part of the store key, so a new window is a new key, and a test clock moved past a window
 * starts afresh. The store is only asked to forget a key in real time, a little after its
 * window has ended. Keys are namespaced strings such as `ip:1.2.3.4` or `email:a@b.c`.
 */
export class RateLimiter {
  /** @internal built by a RateLimits factory */
  constructor(
    private readonly store: RateLimiterAbstract,
    private readonly clock: Clock,
    readonly limit: number,
    private readonly windowMs: number,
    private readonly origin: number,
    private readonly cap?: MemoryCap,
  ) {}

  /** Seconds to wait if `key` is over the limit, otherwise 0. Does not count a hit. */
  async retryAfter(key: string): Promise<number> {
    const w = this.window(key);
    const used = count(await this.store.get(w.key));
    if (used === 0 && this.cap && !this.cap.admits(w.key)) return w.resetSeconds;
    return used >= this.limit ? w.resetSeconds : 0;
  }

  /** Counts a hit (nothing when the memory cap refuses a new key: it is limited anyway). */
  async hit(key: string): Promise<void> {
    const w = this.window(key);
    if (!this.cap || this.cap.admits(w.key)) await this.store.penalty(w.key, 1);
  }

  /**
   * Counts an attempt atomically and says whether it is within `limit` (default: the
   * limiter's), with what the RateLimit-* headers say: the limit, hits left in this window,
   * and seconds until it resets. Callers with per-key limits (the API's plans) pass their own.
   * A refused attempt is counted too; it changes nothing, as the key is spent until the window ends.
   */
  async take(key: string, limit = this.limit): Promise<RateLimitState> {
    const w = this.window(key);
    // The cap check and the store's increment run in one tick, so the cap holds exactly.
    if (this.cap && !this.cap.admits(w.key)) return { allowed: false, limit, remaining: 0, resetSeconds: w.resetSeconds };
    const used = (await this.store.penalty(w.key, 1)).consumedPoints;
    return { allowed: used <= limit, limit, remaining: Math.max(0, limit - used), resetSeconds: w.resetSeconds };
  }

  /** Takes back one hit of this window, e.g. when an attempt counted up front turned out to succeed. */
  async undo(key: string): Promise<void> {
    const w = this.window(key);
    // Only a count that exists: after a window change there is nothing to take back.
    if (count(await this.store.get(w.key)) > 0) await this.store.reward(w.key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.store.delete(this.window(key).key);
  }

  /** Keys held in memory (memory store only), for tests and metrics. */
  get keyCount(): number | undefined {
    return this.cap?.size;
  }

  private window(key: string) {
    const now = this.clock.now();
    const index = Math.floor((now - this.origin) / this.windowMs);
    const end = this.origin + (index + 1) * this.windowMs;
    // Hashed: every key has the same small size in memory and fits the table's varchar(255),
    // whatever a client puts in an address field.
    const digest = createHash('sha256').update(key).digest('base64url').slice(0, 22);
    return { key: `${index}:${digest}`, resetSeconds: Math.max(1, Math.ceil((end - now) / 1000)) };
  }
}

function count(res: RateLimiterRes | null): number {
  // The memory store can hand back a record whose real-time expiry passed a moment ago.
  return res && res.msBeforeNext >= 0 ? res.consumedPoints : 0;
}

/**
 * Counts one attempt against each [limiter, key] in turn; when one is spent, takes back the
 * attempts already counted (a refused attempt costs nothing elsewhere) and throws
 * RateLimitError with the longest wait among the spent ones.
 */
export async function spend(...limits: Array<[RateLimiter, string]>): Promise<void> {
  for (const [i, [limiter, key]] of limits.entries()) {
    const state = await limiter.take(key);
    if (state.allowed) continue;
    const waits = await Promise.all(limits.slice(i + 1).map(([l, k]) => l.retryAfter(k)));
    await Promise.all(limits.slice(0, i).map(([l, k]) => l.undo(k)));
    throw new RateLimitError(Math.max(state.resetSeconds, ...waits));
  }
}

/** Where the counts live: this process's memory, or a PostgreSQL table all web processes share. */
export type RateLimitStore = 'memory' | 'postgres';

export interface RateLimitsOptions {
  /**
   * Where the window grid starts (epoch ms). Processes sharing a store must agree, so the
   * default is 0; tests pass their clock's start so that the first window is a whole one.
   */
  origin?: number;
  /** Memory store: the default key cap of each limiter. */
  maxKeys?: number;
}

/** Builds the limiters of one process; one limiter per name, so processes sharing a store share its counts. */
export interface RateLimits {
  readonly store: RateLimitStore;
  /** The limiter `name` (lower-case, digits, dashes): `limit` per `windowMs`. `maxKeys` overrides the memory cap. */
  limiter(name: string, limit: number, windowMs: number, opts?: { maxKeys?: number }): RateLimiter;
  close(): Promise<void>;
}

/** A store's limiter for a namespace: `keyPrefix` is unique per limiter, `durationSec` at least its window. */
export type MakeStoreLimiter = (keyPrefix: string, points: number, durationSec: number) => RateLimiterAbstract;

export function rateLimitsOver(store: RateLimitStore, clock: Clock, opts: RateLimitsOptions, make: MakeStoreLimiter, close: () => Promise<void>): RateLimits {
  const made = new Map<string, { limiter: RateLimiter; spec: string }>();
  return {
    store,
    limiter(name, limit, windowMs, lopts = {}) {
      const spec = `${limit} per ${windowMs} ms`;
      const seen = made.get(name);
      if (seen && seen.spec !== spec) throw new Error(`Rate limit "${name}" is already ${seen.spec}, not ${spec}`);
      if (seen) return seen.limiter;
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Rate limit names are lower-case words with dashes: "${name}"`);
      // A second past the window: in real time the store keeps a key until its window has surely ended.
      const rl = make(`sp:${name}`, limit, Math.ceil(windowMs / 1000) + 1);
      const cap = rl instanceof RateLimiterMemory ? new MemoryCap(rl, lopts.maxKeys ?? opts.maxKeys ?? DEFAULT_MAX_KEYS) : undefined;
      const limiter = new RateLimiter(rl, clock, limit, windowMs, opts.origin ?? 0, cap);
      made.set(name, { limiter, spec });
      return limiter;
    },
    close,
  };
}

/** Limiters in this process's memory: enough for one web process (SQLite, or tests). */
export function memoryRateLimits(clock: Clock, opts: RateLimitsOptions = {}): RateLimits {
  return rateLimitsOver('memory', clock, opts, (keyPrefix, points, duration) => new RateLimiterMemory({ keyPrefix, points, duration }), async () => {});
}
