import { Cron } from 'croner';
import type { Db } from '../db/create-db.ts';
import * as monitors from '../domain/monitors/monitors.repository.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { Semaphore } from '../lib/semaphore.ts';

export interface SchedulerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Runs one check (see CheckRun); `kind: 'gone'` when the monitor no longer exists or is paused. The signal aborts at shutdown. */
  check: (monitorId: number, signal: AbortSignal) => Promise<{ kind: string }>;
  concurrency: number;
  reconcileMs?: number;
}

interface Job {
  cron: Cron;
  intervalS: number;
  lastRequest: number | null;
}

/** Stable 0..interval-1 second offset from the id, so equal intervals spread over the period. */
export function offsetSeconds(monitorId: number, intervalS: number): number {
  const h = Math.imul(monitorId ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  return h % intervalS;
}

// Cron time jumps 5 s back on each pass: a web write that committed after a reconcile read
// but carries an earlier updated_at is still seen on the next pass.
const CURSOR_OVERLAP_MS = 5000;
const FULL_SCAN_EVERY = 15;

/**
 * One croner job per active monitor, reconciled with the monitors table every couple of
 * seconds. croner builds a 10,000-entry year table per pattern (about 80 KB a job), so jobs
 * with the same pattern share one parsed pattern; with 10,000 monitors that is the
 * difference between ~15 MB and ~850 MB of heap.
 */
export class Scheduler {
  private readonly jobs = new Map<number, Job>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** "Check now" requests that arrived while that monitor's check was running. */
  private readonly rerun = new Set<number>();
  private readonly shutdown = new AbortController();
  private readonly limiter: Semaphore;
  private sharedPattern: unknown;
  private cursor = 0;
  private passes = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private reconciling: Promise<void> | undefined;
  /** Called after every check; the benchmark uses it to measure lag. */
  onCheck?: (monitorId: number, scheduledFor: number | null, startedAt: number) => void;

  constructor(private readonly deps: SchedulerDeps) {
    this.limiter = new Semaphore(deps.concurrency);
  }

  get size(): number {
    return this.jobs.size;
  }

  get running(): number {
    return this.inFlight.size;
  }

  /**
   * 1. load every monitor and create its job;
   * 2. check once, now, each monitor that is overdue (no replay of missed runs);
   * 3. start reconciling with the database.
   */
  async start(): Promise<void> {
    const rows = await monitors.changedSince(this.deps.db, 0);
    const now = this.deps.clock.now();
    for (const r of rows) {
      this.cursor = Math.max(this.cursor, r.updated_at);
      if (r.is_paused) continue;
      this.schedule(r.id, r.interval_s, r.check_requested_at);
      const overdue = r.last_checked_at === null || now - r.last_checked_at >= r.interval_s * 1000;
      const requested = r.check_requested_at !== null && (r.last_checked_at === null || r.check_requested_at > r.last_checked_at);
      if (overdue || requested) this.trigger(r.id, null);
    }
    this.deps.logger.info({ monitors: this.jobs.size }, 'scheduler started');
    const tick = () => {
      if (this.stopping) return;
      this.reconciling = this.reconcile()
        .catch((err) => this.deps.logger.error({ err }, 'reconcile failed'))
        .finally(() => {
          if (!this.stopping) this.timer = setTimeout(tick, this.deps.reconcileMs ?? 2000);
        });
    };
    this.timer = setTimeout(tick, this.deps.reconcileMs ?? 2000);
  }

  /** Applies monitor changes made since the last pass: new, edited, paused, deleted, "check now". */
  async reconcile(): Promise<void> {
    const rows = await monitors.changedSince(this.deps.db, Math.max(0, this.cursor - CURSOR_OVERLAP_MS));
    for (const r of rows) {
      this.cursor = Math.max(this.cursor, r.updated_at);
      const job = this.jobs.get(r.id);
      if (r.is_paused) {
        if (job) this.unschedule(r.id);
        continue;
      }
      if (!job || job.intervalS !== r.interval_s) this.schedule(r.id, r.interval_s, job ? job.lastRequest : null);
      const current = this.jobs.get(r.id)!;
      if (r.check_requested_at !== null && r.check_requested_at !== current.lastRequest) {
        current.lastRequest = r.check_requested_at;
        if (this.inFlight.has(r.id)) this.rerun.add(r.id);
        else this.trigger(r.id, null);
      }
      if (!job && r.last_checked_at === null) this.trigger(r.id, null);
    }
    if (++this.passes % FULL_SCAN_EVERY === 0) {
      const ids = new Set(await monitors.allIds(this.deps.db));
      for (const id of this.jobs.keys()) if (!ids.has(id)) this.unschedule(id);
    }
  }

  private schedule(id: number, intervalS: number, lastRequest: number | null): void {
    this.unschedule(id);
    const intervalMs = intervalS * 1000;
    const now = this.deps.clock.now();
    const anchor = Math.floor(now / intervalMs) * intervalMs + offsetSeconds(id, intervalS) * 1000 - intervalMs;
    const cron = new Cron('* * * * * *', { interval: intervalS, startAt: new Date(anchor), catch: true }, () => {
      // The slot this run belongs to, so lag is measured against the schedule, not the timer.
      const now = Date.now();
      this.trigger(id, anchor + Math.floor((now - anchor) / intervalMs) * intervalMs);
    });
    const states = (cron as unknown as { _states?: { pattern?: unknown } })._states;
    if (states?.pattern) {
      if (this.sharedPattern) states.pattern = this.sharedPattern;
      else this.sharedPattern = states.pattern;
    }
    this.jobs.set(id, { cron, intervalS, lastRequest });
  }

  private unschedule(id: number): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.cron.stop();
    this.jobs.delete(id);
  }

  /** Runs a check unless one is already running for this monitor. */
  trigger(id: number, scheduledFor: number | null): Promise<void> | undefined {
    if (this.stopping || this.inFlight.has(id)) return this.inFlight.get(id);
    const p = this.limiter
      .run(async () => {
        if (this.stopping) return;
        const startedAt = Date.now();
        const outcome = await this.deps.check(id, this.shutdown.signal);
        this.onCheck?.(id, scheduledFor, startedAt);
        if (outcome.kind === 'gone') this.unschedule(id);
      })
      .catch((err) => this.deps.logger.error({ err, monitorId: id }, 'check failed to run'))
      .finally(() => {
        this.inFlight.delete(id);
        if (this.rerun.delete(id)) this.trigger(id, null);
      });
    this.inFlight.set(id, p);
    return p;
  }

  /**
   * Stops scheduling, waits up to `graceMs` for checks already running, then aborts the rest
   * (their results are discarded, not stored as failures) and waits for them to settle.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    for (const id of [...this.jobs.keys()]) this.unschedule(id);
    await this.reconciling;
    const settled = () => Promise.allSettled([...this.inFlight.values()]);
    if (this.inFlight.size === 0) return;
    let timeout: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      timeout = setTimeout(() => resolve('late'), graceMs);
    });
    const result = await Promise.race([settled(), graceOver]);
    clearTimeout(timeout);
    if (result === 'late') {
      this.shutdown.abort();
      await settled();
    }
  }
}
