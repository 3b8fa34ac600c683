import { describe, expect, it } from 'vitest';
import { computeSla, maintenanceSpans } from '../../src/domain/incidents/sla.ts';

const H = 3600_000;
const from = Date.UTC(2026, 9, 1);
const to = Date.UTC(2026, 10, 1); // October: 31 days
const later = to + 10 * 24 * H;

describe('SLA accounting', () => {
  it('downtime, uptime, incidents and MTTR over a month', () => {
    const r = computeSla(
      [
        { startedAt: from + 24 * H, resolvedAt: from + 25 * H }, // 60 min
        { startedAt: from + 48 * H, resolvedAt: from + 48.5 * H }, // 30 min
        { startedAt: from - H, resolvedAt: from + 0.5 * H }, // 30 min inside the month
      ],
      [],
      { from, to, target: 99.9, excludeMaintenance: false },
      later,
    );
    expect(r.periodMinutes).toBe(31 * 24 * 60);
    expect(r.downtimeMinutes).toBe(120);
    expect(r.incidents).toBe(3);
    expect(r.mttrMinutes).toBe(Math.round((60 + 30 + 90) / 3));
    expect(r.uptimePercent).toBe(99.731);
    expect(r.met).toBe(false);
  });

  it('maintenance can be left out of both the period and the downtime', () => {
    const maintenance = maintenanceSpans(
      [{ id: 1, title: 'm', starts_at: from + 24 * H, ends_at: from + 26 * H, cron: null, duration_minutes: null, timezone: 'UTC', ended_at: null }],
      from,
      to,
    );
    const incidents = [{ startedAt: from + 24 * H, resolvedAt: from + 25 * H }];
    const counted = computeSla(incidents, maintenance, { from, to, target: 99.9, excludeMaintenance: false }, later);
    const excluded = computeSla(incidents, maintenance, { from, to, target: 99.9, excludeMaintenance: true }, later);
    expect(counted.downtimeMinutes).toBe(60);
    expect(excluded.downtimeMinutes).toBe(0);
    expect(excluded.excludedMaintenanceMinutes).toBe(120);
    expect(excluded.periodMinutes).toBe(31 * 24 * 60 - 120);
    expect(excluded.uptimePercent).toBe(100);
  });

  it('recurring windows expand into their occurrences', () => {
    const spans = maintenanceSpans([{ id: 1, title: 'w', starts_at: null, ends_at: null, cron: '0 3 * * SUN', duration_minutes: 60, timezone: 'UTC', ended_at: null }], from, to);
    expect(spans).toHaveLength(4); // Sundays in October 2026: 4, 11, 18, 25
    expect(new Date(spans[0]![0]).toISOString()).toBe('2026-10-04T03:00:00.000Z');
  });

  it('"met" uses the exact uptime, not the rounded one', () => {
    const period = 31 * 24 * 60; // minutes
    const downMs = Math.ceil(period * 0.001004 * 60_000); // 99.8996 %
    const r = computeSla([{ startedAt: from, resolvedAt: from + downMs }], [], { from, to, target: 99.9, excludeMaintenance: false }, later);
    expect(r.uptimePercent).toBe(99.9);
    expect(r.met).toBe(false);
  });

  it('an open incident counts until now, and the current month up to now', () => {
    const now = from + 10 * 24 * H;
    const r = computeSla([{ startedAt: now - H, resolvedAt: null }], [], { from, to, target: 99, excludeMaintenance: false }, now);
    expect(r.downtimeMinutes).toBe(60);
    expect(r.periodMinutes).toBe(10 * 24 * 60);
    expect(r.mttrMinutes).toBeNull();
  });

  it('counts from the monitor’s creation: time before it is not uptime', () => {
    const since = from + 20 * 24 * H;
    const r = computeSla([{ startedAt: since + H, resolvedAt: since + 2 * H }], [], { from, to, target: 99, excludeMaintenance: false, since }, later);
    expect(r.countedFrom).toBe(since);
    expect(r.periodMinutes).toBe(11 * 24 * 60);
    expect(r.downtimeMinutes).toBe(60);
    expect(r.uptimePercent).toBe(99.621);
    expect(r.met).toBe(true);
  });

  it('a month entirely before the monitor existed has no data, neither met nor missed', () => {
    const r = computeSla([], [], { from, to, target: 99.9, excludeMaintenance: false, since: to + H }, later);
    expect(r).toMatchObject({ countedFrom: null, uptimePercent: null, met: null, periodMinutes: 0, incidents: 0 });
  });
});
