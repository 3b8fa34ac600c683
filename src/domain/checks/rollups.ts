import { DAY, HOUR } from '../../lib/clock.ts';
import { HISTOGRAM_BOUNDS_MS, HISTOGRAM_SIZE } from '../../db/schema.ts';

export type Period = 'hour' | 'day';

export function bucketStart(ts: number, period: Period): number {
  const size = period === 'hour' ? HOUR : DAY;
  return Math.floor(ts / size) * size;
}

export function histogramIndex(ms: number): number {
  for (let i = 0; i < HISTOGRAM_BOUNDS_MS.length; i++) if (ms <= HISTOGRAM_BOUNDS_MS[i]!) return i;
  return HISTOGRAM_SIZE - 1;
}

/**
 * Percentile from histogram counts, interpolated linearly inside the bucket that holds it
 * and clamped to the observed min/max, so a single sample reports its own value.
 */
export function percentileFromHistogram(counts: readonly number[], p: number, min: number | null, max: number | null): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lower = i === 0 ? 0 : HISTOGRAM_BOUNDS_MS[i - 1]!;
      const upper = i < HISTOGRAM_BOUNDS_MS.length ? HISTOGRAM_BOUNDS_MS[i]! : (max ?? lower);
      let v = lower + ((upper - lower) * (rank - seen)) / c;
      if (min !== null) v = Math.max(v, min);
      if (max !== null) v = Math.min(v, max);
      return Math.round(v);
    }
    seen += c;
  }
  return max;
}

/** Uptime % with two decimals, or null when nothing was checked. */
export function uptimePercent(checks: number, failures: number): number | null {
  if (checks <= 0) return null;
  return Math.round(((checks - failures) / checks) * 10000) / 100;
}

export interface RollupSums {
  checks: number;
  failures: number;
}

export function sumRollups(rows: readonly RollupSums[]): RollupSums {
  let checks = 0;
  let failures = 0;
  for (const r of rows) {
    checks += r.checks;
    failures += r.failures;
  }
  return { checks, failures };
}
