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

export const BAR_DAYS = 90;

export interface MonitorHistory {
  uptime: UptimeSummary;
  days: DayBar[];
  /**
   * With a cache: the settled first part of `days`, the same (frozen) array for every build of
   * the day, so a serializer can reuse its output for it (see web/status-json.ts).
   */
  settledDays?: readonly DayBar[];
}

type Sums = { checks: number; failures: number };

const WINDOWS = [7, 30, 90] as const;

/** A monitor's settled days as of one "today", with what each uptime window sums over them. */
interface SettledDays {
  today: number;
  past: repo.DayMatrix | null;
  /** Checks and failures of the settled days inside the 7, 30 and 90-day windows. */
  sums: Record<(typeof WINDOWS)[number], Sums> | null;
  bars?: readonly DayBar[];
}

function settledSums(past: repo.DayMatrix): SettledDays['sums'] {
  const out = {} as NonNullable<SettledDays['sums']>;
  for (const w of WINDOWS) {
    const from = Math.max(0, SETTLED_DAYS - (w - 2));
    let checks = 0;
    let failures = 0;
    for (let i = from; i < SETTLED_DAYS; i++) {
      checks += past.checks[i]!;
      failures += past.failures[i]!;
    }
    out[w] = { checks, failures };
  }
  return out;
}

/**
 * Rollups that no longer change, per monitor: the daily buckets before yesterday (as of one
 * "today") and the hourly buckets of the 24 h window before the previous hour (as of one
 * hour). A result lands in its own bucket, and the newest two buckets are always re-read in
 * case the last results of a period committed after it ended, so a status page rebuilt every
 * few seconds reads 2 daily and 2 hourly rows per monitor instead of 90 and 24.
 */
export class SettledHistoryCache {
  private readonly days = new Map<number, SettledDays>();
  private readonly hours = new Map<number, { hour: number; sums: Sums | null }>();

  constructor(private readonly maxMonitors = 100_000) {}

  get(id: number, today: number) {
    const e = this.days.get(id);
    return e && e.today === today ? e : undefined;
  }

  set(id: number, today: number, past: repo.DayMatrix | null) {
    bounded(this.days, id, this.maxMonitors).set(id, { today, past, sums: past && settledSums(past) });
  }

  hoursOf(id: number, hour: number) {
    const e = this.hours.get(id);
    return e && e.hour === hour ? e : undefined;
  }

  setHours(id: number, hour: number, sums: Sums | null) {
    bounded(this.hours, id, this.maxMonitors).set(id, { hour, sums });
  }
}

function bounded<V>(map: Map<number, V>, id: number, max: number): Map<number, V> {
  if (map.size >= max && !map.has(id)) map.delete(map.keys().next().value!);
  return map;
}

const SETTLED_DAYS = BAR_DAYS - 2;

/**
 * Fills the cache with the settled days of monitors it lacks for `today` (one read of their 90
 * days) and reads the last two days of every monitor, which are never cached.
 */
async function recentDays(db: Db, monitorIds: number[], firstDay: number, today: number, cache: SettledHistoryCache): Promise<Map<number, repo.DayMatrix>> {
  const missing = monitorIds.filter((id) => !cache.get(id, today));
  const [full, recent] = await Promise.all([
    missing.length ? repo.rollupMatrix(db, 'rollups_daily', missing, firstDay, DAY, BAR_DAYS) : new Map<number, repo.DayMatrix>(),
    repo.rollupMatrix(db, 'rollups_daily', monitorIds, today - DAY, DAY, 2),
  ]);
  for (const id of missing) {
    const f = full.get(id);
    const past = f && f.checks.subarray(0, SETTLED_DAYS).some((n) => n > 0) ? { checks: f.checks.slice(0, SETTLED_DAYS), failures: f.failures.slice(0, SETTLED_DAYS) } : null;
    cache.set(id, today, past);
  }
  return recent;
}

/** Checks and failures of the last 24 hourly buckets: settled hours from the cache, the last two from the database. */
async function hourlySums(db: Db, monitorIds: number[], hour: number, cache: SettledHistoryCache): Promise<Map<number, Sums>> {
  const since = hour - 23 * HOUR;
  const missing = monitorIds.filter((id) => !cache.hoursOf(id, hour));
  const [settled, recent] = await Promise.all([
    missing.length ? repo.rollupSums(db, 'rollups_hourly', missing, since, hour - HOUR) : new Map<number, Sums>(),
    repo.rollupSums(db, 'rollups_hourly', monitorIds, hour - HOUR),
  ]);
  for (const id of missing) cache.setHours(id, hour, settled.get(id) ?? null);
  const out = new Map<number, Sums>();
  for (const id of monitorIds) {
    const past = cache.hoursOf(id, hour)?.sums;
    const r = recent.get(id);
    if (past || r) out.set(id, { checks: (past?.checks ?? 0) + (r?.checks ?? 0), failures: (past?.failures ?? 0) + (r?.failures ?? 0) });
  }
  return out;
}

function barsOf(d: repo.DayMatrix | null | undefined, dates: string[], from: number, to: number): DayBar[] {
  const bars: DayBar[] = [];
  for (let i = from; i < to; i++) bars.push({ date: dates[i]!, uptime: d ? uptimePercent(d.checks[i]!, d.failures[i]!) : null });
  return bars;
}

/**
 * Uptime windows and the 90 daily bars for many monitors from rollups only (never raw rows):
 * 24 h from hourly buckets, 7/30/90 d and the bars from daily (UTC) buckets.
 */
export async function historyFor(db: Db, monitorIds: number[], now: number, withDays = true, cache?: SettledHistoryCache): Promise<Map<number, MonitorHistory>> {
  const today = bucketStart(now, 'day');
  const firstDay = today - (BAR_DAYS - 1) * DAY;
  const dates = withDays ? Array.from({ length: BAR_DAYS }, (_, i) => isoDate(firstDay + i * DAY)) : [];
  const out = new Map<number, MonitorHistory>();
  if (cache) {
    const [hourly, recent] = await Promise.all([hourlySums(db, monitorIds, bucketStart(now, 'hour'), cache), recentDays(db, monitorIds, firstDay, today, cache)]);
    for (const id of monitorIds) {
      const e = cache.get(id, today)!;
      const r = recent.get(id);
      const h = hourly.get(id);
      const window = (w: (typeof WINDOWS)[number]) => {
        if (!e.sums && !r) return null;
        const checks = (e.sums?.[w].checks ?? 0) + (r ? r.checks[0]! + r.checks[1]! : 0);
        const failures = (e.sums?.[w].failures ?? 0) + (r ? r.failures[0]! + r.failures[1]! : 0);
        return uptimePercent(checks, failures);
      };
      const history: MonitorHistory = {
        uptime: { '24h': h ? uptimePercent(h.checks, h.failures) : null, '7d': window(7), '30d': window(30), '90d': window(90) },
        days: [],
      };
      if (withDays) {
        // Settled bars are built once a day per monitor and shared by every build until then.
        e.bars ??= Object.freeze(barsOf(e.past, dates, 0, SETTLED_DAYS).map((b) => Object.freeze(b)));
        history.settledDays = e.bars;
        history.days = e.bars.concat(
          r ? barsOf(r, dates.slice(SETTLED_DAYS), 0, 2) : [{ date: dates[SETTLED_DAYS]!, uptime: null }, { date: dates[SETTLED_DAYS + 1]!, uptime: null }],
        );
      }
      out.set(id, history);
    }
    return out;
  }
  const [hourly, daily] = await Promise.all([
    repo.rollupSums(db, 'rollups_hourly', monitorIds, bucketStart(now, 'hour') - 23 * HOUR),
    repo.rollupMatrix(db, 'rollups_daily', monitorIds, firstDay, DAY, BAR_DAYS),
  ]);
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
    const h = hourly.get(id);
    out.set(id, {
      uptime: { '24h': h ? uptimePercent(h.checks, h.failures) : null, '7d': window(7), '30d': window(30), '90d': window(90) },
      days: withDays ? barsOf(d, dates, 0, BAR_DAYS) : [],
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
