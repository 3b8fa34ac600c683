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
 * Uptime windows and the 90 daily bars for many monitors from rollups only (never raw rows):
 * 24 h from hourly buckets, 7/30/90 d and the bars from daily (UTC) buckets.
 */
export async function historyFor(db: Db, monitorIds: number[], now: number, withDays = true): Promise<Map<number, MonitorHistory>> {
  const today = bucketStart(now, 'day');
  const firstDay = today - (BAR_DAYS - 1) * DAY;
  const [hourly, daily] = await Promise.all([
    repo.rollupSums(db, 'rollups_hourly', monitorIds, bucketStart(now, 'hour') - 23 * HOUR),
    repo.rollupMatrix(db, 'rollups_daily', monitorIds, firstDay, DAY, BAR_DAYS),
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
