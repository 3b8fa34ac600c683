import { Cron } from 'croner';
import type { Db } from '../../db/create-db.ts';
import { MINUTE } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import type { WindowRow } from '../alerts/maintenance.ts';
import { windowsOfMonitorInAccount } from '../alerts/maintenance.repository.ts';
import * as repo from './sla.repository.ts';

export interface SlaOptions {
  from: number;
  to: number;
  /** Target uptime in percent, e.g. 99.9. */
  target: number;
  /** Whether time inside maintenance windows is left out of both the period and the downtime. */
  excludeMaintenance: boolean;
  /** Whether degraded (slow but passing) time counts as downtime. */
  countDegraded?: boolean;
  /** When the monitor was created: time before it is not uptime, so counting starts here. */
  since?: number;
}

export interface SlaReport {
  /** Start of the time counted: the month's start, or the monitor's creation when later; null = no data. */
  countedFrom: number | null;
  periodMinutes: number;
  downtimeMinutes: number;
  /** null when nothing of the period can be counted (the monitor did not exist yet): "no data". */
  uptimePercent: number | null;
  incidents: number;
  mttrMinutes: number | null;
  target: number;
  met: boolean | null;
  excludedMaintenanceMinutes: number;
  /** Degraded time in the period (inside maintenance left out when maintenance is excluded). */
  degradedMinutes: number;
  degradedCounted: boolean;
}

type Span = [number, number];

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/** Merges overlapping spans so shared time is not counted twice. */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** Occurrences of maintenance windows inside [from, to). */
export function maintenanceSpans(windows: WindowRow[], from: number, to: number): Span[] {
  const spans: Span[] = [];
  for (const w of windows) {
    if (w.cron && w.duration_minutes) {
      const cron = new Cron(w.cron, { timezone: w.timezone, paused: true });
      let cursor: Date | null = new Date(from - w.duration_minutes * MINUTE);
      for (let i = 0; i < 100_000 && cursor; i++) {
        cursor = cron.nextRun(cursor);
        if (!cursor || cursor.getTime() >= to) break;
        const start = cursor.getTime();
        let end = start + w.duration_minutes * MINUTE;
        if (w.ended_at !== null && w.ended_at >= start && w.ended_at < end) end = w.ended_at;
        spans.push([start, end]);
      }
      cron.stop();
    } else if (w.starts_at !== null && w.ends_at !== null) {
      const end = w.ended_at !== null ? Math.min(w.ends_at, w.ended_at) : w.ends_at;
      if (end > w.starts_at) spans.push([w.starts_at, end]);
    }
  }
  return merge(spans.map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as Span).filter(([a, b]) => b > a));
}

/**
 * The accounting, step by step:
 * 1. the range counted runs from the later of `from` and the monitor's creation (`since`) to
 *    the earlier of `to` and `now`; when it is empty there is no data, not 100 % uptime;
 * 2. downtime = time inside the range covered by incidents (an open one runs until `now`);
 * 3. with excludeMaintenance, maintenance time leaves the period and the downtime alike;
 * 4. with countDegraded, degraded spans join the incident spans (merged: time both down and
 *    slow counts once);
 * 5. uptime = 1 − downtime / period; MTTR = mean length of incidents that ended in range.
 */
export function computeSla(incidents: Array<{ startedAt: number; resolvedAt: number | null }>, maintenance: Span[], o: SlaOptions, now: number, degraded: Span[] = []): SlaReport {
  const range: Span = [Math.max(o.from, o.since ?? o.from), Math.min(o.to, now)];
  if (range[1] <= range[0]) return noData(o);
  const excluded = o.excludeMaintenance ? maintenance.reduce((n, m) => n + overlap(m, range), 0) : 0;
  const incidentSpans = incidents.map((i) => [i.startedAt, i.resolvedAt ?? now] as Span);
  const counted = o.countDegraded ? [...incidentSpans, ...degraded] : incidentSpans;
  /** Time of merged spans inside the range, less maintenance when it is excluded. */
  const timeIn = (spans: Span[]) => {
    let t = 0;
    for (const d of merge(spans.filter((s) => overlap(s, range) > 0))) {
      t += overlap(d, range);
      if (o.excludeMaintenance) for (const m of maintenance) t -= overlap([Math.max(d[0], range[0]), Math.min(d[1], range[1])], m);
    }
    return t;
  };
  const downtime = timeIn(counted);
  const period = Math.max(0, range[1] - range[0] - excluded);
  const inRange = incidents.filter((i) => overlap([i.startedAt, i.resolvedAt ?? now], range) > 0);
  const ended = inRange.filter((i) => i.resolvedAt !== null && i.resolvedAt <= range[1]);
  if (period <= 0) return { ...noData(o), countedFrom: range[0], excludedMaintenanceMinutes: Math.round(excluded / MINUTE) };
  const ratio = 1 - Math.max(0, downtime) / period;
  const uptime = Math.round(ratio * 100_000) / 1000;
  return {
    countedFrom: range[0],
    periodMinutes: Math.round(period / MINUTE),
    downtimeMinutes: Math.round(Math.max(0, downtime) / MINUTE),
    uptimePercent: uptime,
    incidents: inRange.length,
    mttrMinutes: ended.length ? Math.round(ended.reduce((n, i) => n + (i.resolvedAt! - i.startedAt), 0) / ended.length / MINUTE) : null,
    target: o.target,
    met: ratio * 100 >= o.target, // the exact figure, not the rounded one
    excludedMaintenanceMinutes: Math.round(excluded / MINUTE),
    degradedMinutes: Math.round(Math.max(0, timeIn(degraded)) / MINUTE),
    degradedCounted: !!o.countDegraded,
  };
}

/** A report with nothing to count: neither met nor missed. */
function noData(o: SlaOptions): SlaReport {
  return {
    countedFrom: null, periodMinutes: 0, downtimeMinutes: 0, uptimePercent: null, incidents: 0, mttrMinutes: null, target: o.target, met: null,
    excludedMaintenanceMinutes: 0, degradedMinutes: 0, degradedCounted: !!o.countDegraded,
  };
}

/**
 * Degraded time, from what is stored: a degraded check is a raw result that passed (ok = 1)
 * slower than the monitor's degraded threshold (response_ms > degraded_ms, the threshold as
 * set now). Each one covers the time until the next check (or one interval after the last).
 * Raw results are kept for the plan's retention only, so older degraded time is unknown:
 * `knownFrom` says from when the figure is complete.
 */
export async function degradedSpans(db: Db, monitorId: number, from: number, to: number): Promise<{ spans: Span[]; knownFrom: number | null }> {
  const m = await repo.degradedSettings(db, monitorId);
  const knownFrom = await repo.firstResultAt(db, [monitorId]);
  if (!m || m.degraded_ms === null) return { spans: [], knownFrom };
  const rows = await repo.resultsIn(db, monitorId, from, to);
  const spans: Span[] = [];
  rows.forEach((r, i) => {
    if (r.ok !== 1 || r.response_ms === null || r.response_ms <= m.degraded_ms!) return;
    const end = rows[i + 1]?.checked_at ?? r.checked_at + m.interval_s * 1000;
    spans.push([Number(r.checked_at), Math.min(Number(end), to)]);
  });
  return { spans: merge(spans), knownFrom };
}

/**
 * Loads a monitor's incidents, maintenance windows and degraded checks and computes its
 * report, counted from the monitor's creation at the earliest.
 */
export async function slaForMonitor(db: Db, accountId: number, monitorId: number, o: SlaOptions, now: number): Promise<SlaReport> {
  const monitor = await repo.monitorOfAccount(db, accountId, monitorId);
  if (!monitor) throw new NotFoundError('Monitor');
  o = { ...o, since: Math.max(o.since ?? 0, Number(monitor.created_at)) };
  const incidents = await repo.incidentsOverlapping(db, accountId, monitorId, o.from, o.to);
  const windows = await windowsOfMonitorInAccount(db, accountId, monitorId);
  return computeSla(
    incidents.map((i) => ({ startedAt: i.started_at, resolvedAt: i.resolved_at })),
    maintenanceSpans(windows, o.from, o.to),
    o,
    now,
    (await degradedSpans(db, monitorId, o.from, o.to)).spans,
  );
}
