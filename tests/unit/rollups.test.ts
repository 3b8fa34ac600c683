import { describe, expect, it } from 'vitest';
import { HISTOGRAM_SIZE } from '../../src/db/schema.ts';
import { bucketStart, histogramIndex, percentileFromHistogram, uptimePercent } from '../../src/domain/checks/rollups.ts';

describe('rollup maths', () => {
  it('buckets by UTC hour and day', () => {
    const t = Date.UTC(2026, 10, 21, 13, 47, 12, 345);
    expect(bucketStart(t, 'hour')).toBe(Date.UTC(2026, 10, 21, 13));
    expect(bucketStart(t, 'day')).toBe(Date.UTC(2026, 10, 21));
  });

  it('uptime has two decimals and null without data', () => {
    expect(uptimePercent(0, 0)).toBeNull();
    expect(uptimePercent(3, 1)).toBe(66.67);
    expect(uptimePercent(10000, 1)).toBe(99.99);
    expect(uptimePercent(5, 0)).toBe(100);
    expect(uptimePercent(4, 4)).toBe(0);
  });

  it('places response times in increasing buckets', () => {
    expect(histogramIndex(0)).toBe(0);
    expect(histogramIndex(10)).toBe(0);
    expect(histogramIndex(11)).toBe(1);
    expect(histogramIndex(999_999)).toBe(HISTOGRAM_SIZE - 1);
    expect(histogramIndex(150)).toBeLessThan(histogramIndex(151));
  });

  it('p95 from a histogram is within the bucket of the true p95', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => (i < 950 ? 40 + (i % 10) : 800 + i));
    const counts = new Array(HISTOGRAM_SIZE).fill(0);
    for (const s of samples) counts[histogramIndex(s)]++;
    const p95 = percentileFromHistogram(counts, 95, Math.min(...samples), Math.max(...samples))!;
    expect(p95).toBeGreaterThanOrEqual(30);
    expect(p95).toBeLessThanOrEqual(50);
    const p99 = percentileFromHistogram(counts, 99, Math.min(...samples), Math.max(...samples))!;
    expect(p99).toBeGreaterThan(750);
  });

  it('a single sample reports its own value, and no samples report null', () => {
    const counts = new Array(HISTOGRAM_SIZE).fill(0);
    expect(percentileFromHistogram(counts, 95, null, null)).toBeNull();
    counts[histogramIndex(123)] = 1;
    expect(percentileFromHistogram(counts, 95, 123, 123)).toBe(123);
  });
});
