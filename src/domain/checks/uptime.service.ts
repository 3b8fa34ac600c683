import type { Db } from '../../db/create-db.ts';
import { DAY, HOUR } from '../../lib/clock.ts';
import * as repo from './checks.repository.ts';
import { bucketStart, percentileFromHistogram, uptimePercent } from './rollups.ts';

export interface UptimeSummary {
  '24h': number | null;
  '7d': number | null;
  '30d': number | null;
  '90d': number | null;
}

export interface DayBar {
  date: string;
  uptime: number | null;
}

export interface MonitorHistory {
  uptime: UptimeSummary;
  days: DayBar[];
}

export const BAR_DAYS = 90;

/**
 * Daily rollups of days before yesterday, per monitor, as of one "today". Those days no longer
 * change (a result lands in its own day's bucket, and yesterday is always re-read in case the
 * last results of the day committed after midnight), so a status page rebuilt every few
 * seconds reads 2 rows per monitor instead of 90. A new day makes every entry stale.
 */
export class PastDaysCache {
  private readonly entries = new Map<number, { today: number; past: repo.DayMatrix | null }>();

  constructor(private readonly maxMonitors = 100_000) {}

  get(id: number, today: number) {
    const e = this.entries.get(id);
    return e && e.today === today ? e : undefined;
  }

  set(id: number, today: number, past: repo.DayMatrix | null) {
    if (this.entries.size >= this.maxMonitors && !this.entries.has(id)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, { today, past });
  }
}

/** Rows of the 90-day window: from the cache for settled days, from the database for the last two. */
async function dailyMatrix(db: Db, monitorIds: number[], firstDay: number, today: number, cache?: PastDaysCache): Promise<Map<number, repo.DayMatrix>> {
  if (!cache) return repo.rollupMatrix(db, 'rollups_daily', monitorIds, firstDay, DAY, BAR_DAYS);
  const settled = BAR_DAYS - 2;
  const missing = monitorIds.filter((id) => !cache.get(id, today));
  const [full, recent] = await Promise.all([
    missing.length ? repo.rollupMatrix(db, 'rollups_daily', missing, firstDay, DAY, BAR_DAYS) : new Map<number, repo.DayMatrix>(),
    repo.rollupMatrix(db, 'rollups_daily', monitorIds, today - DAY, DAY, 2),
  ]);
  for (const id of missing) {
    const f = full.get(id);
    const past = f && f.checks.subarray(0, settled).some((n) => n > 0) ? { checks: f.checks.slice(0, settled), failures: f.failures.slice(0, settled) } : null;
    cache.set(id, today, past);
  }
  const out = new Map<number, repo.DayMatrix>();
  for (const id of monitorIds) {
    const past = cache.get(id, today)?.past ?? null;
    const r = recent.get(id);
    if (!past && !r) continue;
    const m: repo.DayMatrix = { checks: new Float64Array(BAR_DAYS), failures: new Float64Array(BAR_DAYS) };
    if (past) {
      m.checks.set(past.checks);
      m.failures.set(past.failures);
    }
    if (r) {
      m.checks.set(r.checks, settled);
      m.failures.set(r.failures, settled);
    }
    out.set(id, m);
  }
  return out;
}

/**
 * Uptime windows and the 90 daily bars for many monitors from rollups only (never raw rows):
 * 24 h from hourly buckets, 7/30/90 d and the bars from daily (UTC) buckets.
 */
export async function historyFor(db: Db, monitorIds: number[], now: number, withDays = true, cache?: PastDaysCache): Promise<Map<number, MonitorHistory>> {
  const today = bucketStart(now, 'day');
  const firstDay = today - (BAR_DAYS - 1) * DAY;
  const [hourly, daily] = await Promise.all([
    repo.rollupSums(db, 'rollups_hourly', monitorIds, bucketStart(now, 'hour') - 23 * HOUR),
    dailyMatrix(db, monitorIds, firstDay, today, cache),
  ]);
  const dates = Array.from({ length: BAR_DAYS }, (_, i) => isoDate(firstDay + i * DAY));
  const out = new Map<number, MonitorHistory>();
  for (const id of monitorIds) {
    const d = daily.get(id);
    const window = (days: number) => {
      if (!d) return null;
      let checks = 0;
      let failures = 0;
      for (let i = BAR_DAYS - days; i < BAR_DAYS; i++) {
        checks += d.checks[i]!;
        failures += d.failures[i]!;
      }
      return uptimePercent(checks, failures);
    };
    const days: DayBar[] = [];
    if (withDays) for (let i = 0; i < BAR_DAYS; i++) days.push({ date: dates[i]!, uptime: d ? uptimePercent(d.checks[i]!, d.failures[i]!) : null });
    const h = hourly.get(id);
    out.set(id, {
      uptime: { '24h': h ? uptimePercent(h.checks, h.failures) : null, '7d': window(7), '30d': window(30), '90d': window(90) },
      days,
    });
  }
  return out;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface ChartPoint {
  at: number;
  ms: number | null;
  ok: boolean;
}

/** Response times of the last 24 h, averaged into at most `points` slots for the chart. */
export async function responseSeries(db: Db, monitorId: number, now: number, points = 144): Promise<ChartPoint[]> {
  const since = now - DAY;
  const rows = await repo.resultsSince(db, monitorId, since);
  const slot = DAY / points;
  const slots: Array<{ sum: number; n: number; fail: number; any: number }> = Array.from({ length: points }, () => ({ sum: 0, n: 0, fail: 0, any: 0 }));
  for (const r of rows) {
    const i = Math.min(points - 1, Math.floor((r.checked_at - since) / slot));
    const s = slots[i]!;
    s.any++;
    if (r.ok === 1 && r.response_ms !== null) {
      s.sum += r.response_ms;
      s.n++;
    } else if (r.ok !== 1) s.fail++;
  }
  return slots.flatMap((s, i) =>
    s.any === 0 ? [] : [{ at: since + (i + 0.5) * slot, ms: s.n ? Math.round(s.sum / s.n) : null, ok: s.fail === 0 }],
  );
}

export interface ResponseSummary {
  avg: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
}

/** Response-time summary of the last 24 h from the hourly rollups (p95 from their histograms). */
export async function responseSummary24h(db: Db, monitorId: number, now: number): Promise<ResponseSummary> {
  const s = await repo.responseStats(db, 'rollups_hourly', monitorId, bucketStart(now, 'hour') - 23 * HOUR);
  return {
    avg: s.count ? Math.round(s.sum / s.count) : null,
    p95: percentileFromHistogram(s.histogram, 95, s.min, s.max),
    min: s.min,
    max: s.max,
  };
}

export const RANGES = { '24h': { ms: DAY, table: 'rollups_hourly' }, '7d': { ms: 7 * DAY, table: 'rollups_hourly' }, '30d': { ms: 30 * DAY, table: 'rollups_daily' }, '90d': { ms: 90 * DAY, table: 'rollups_daily' } } as const;
export type RangeKey = keyof typeof RANGES;

export interface RangePoint {
  at: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  uptime: number | null;
}

/** Response-time percentiles and uptime per bucket over a range, from the rollups only. */
export async function rangeSeries(db: Db, monitorId: number, now: number, range: RangeKey): Promise<RangePoint[]> {
  const r = RANGES[range];
  const rows = await repo.rollupSeries(db, r.table, monitorId, now - r.ms);
  return rows.map((b) => ({
    at: b.bucketStart,
    p50: percentileFromHistogram(b.histogram, 50, b.min, b.max),
    p95: percentileFromHistogram(b.histogram, 95, b.min, b.max),
    p99: percentileFromHistogram(b.histogram, 99, b.min, b.max),
    uptime: uptimePercent(b.checks, b.failures),
  }));
}
