import { Cron } from 'croner';
import type { Db } from '../../db/create-db.ts';
import { MINUTE } from '../../lib/clock.ts';
import type { WindowRow } from '../alerts/maintenance.ts';

export interface SlaOptions {
  from: number;
  to: number;
  /** Target uptime in percent, e.g. 99.9. */
  target: number;
  /** Whether time inside maintenance windows is left out of both the period and the downtime. */
  excludeMaintenance: boolean;
}

export interface SlaReport {
  periodMinutes: number;
  downtimeMinutes: number;
  uptimePercent: number;
  incidents: number;
  mttrMinutes: number | null;
  target: number;
  met: boolean;
  excludedMaintenanceMinutes: number;
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
 * 1. downtime = time inside [from, to) covered by incidents (an open one runs until `now`);
 * 2. with excludeMaintenance, maintenance time leaves the period and the downtime alike;
 * 3. uptime = 1 − downtime / period; MTTR = mean length of incidents that ended in range.
 * Degraded (slow) checks never count as down.
 */
export function computeSla(incidents: Array<{ startedAt: number; resolvedAt: number | null }>, maintenance: Span[], o: SlaOptions, now: number): SlaReport {
  const range: Span = [o.from, Math.min(o.to, now)];
  const excluded = o.excludeMaintenance ? maintenance.reduce((n, m) => n + overlap(m, range), 0) : 0;
  const down = merge(incidents.map((i) => [i.startedAt, i.resolvedAt ?? now] as Span).filter((s) => overlap(s, range) > 0));
  let downtime = 0;
  for (const d of down) {
    downtime += overlap(d, range);
    if (o.excludeMaintenance) for (const m of maintenance) downtime -= overlap([Math.max(d[0], range[0]), Math.min(d[1], range[1])], m);
  }
  const period = Math.max(0, range[1] - range[0] - excluded);
  const inRange = incidents.filter((i) => overlap([i.startedAt, i.resolvedAt ?? now], range) > 0);
  const ended = inRange.filter((i) => i.resolvedAt !== null && i.resolvedAt <= range[1]);
  const ratio = period > 0 ? 1 - Math.max(0, downtime) / period : 1;
  const uptime = Math.round(ratio * 100_000) / 1000;
  return {
    periodMinutes: Math.round(period / MINUTE),
    downtimeMinutes: Math.round(Math.max(0, downtime) / MINUTE),
    uptimePercent: uptime,
    incidents: inRange.length,
    mttrMinutes: ended.length ? Math.round(ended.reduce((n, i) => n + (i.resolvedAt! - i.startedAt), 0) / ended.length / MINUTE) : null,
    target: o.target,
    met: ratio * 100 >= o.target, // the exact figure, not the rounded one
    excludedMaintenanceMinutes: Math.round(excluded / MINUTE),
  };
}

/** Loads a monitor's incidents and maintenance windows and computes its report. */
export async function slaForMonitor(db: Db, accountId: number, monitorId: number, o: SlaOptions, now: number): Promise<SlaReport> {
  const incidents = await db
    .selectFrom('incidents')
    .select(['started_at', 'resolved_at'])
    .where('account_id', '=', accountId)
    .where('monitor_id', '=', monitorId)
    .where('started_at', '<', o.to)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>', o.from)]))
    .execute();
  const windows = (await db
    .selectFrom('maintenance_windows')
    .innerJoin('maintenance_monitors', 'maintenance_monitors.window_id', 'maintenance_windows.id')
    .select(['maintenance_windows.id', 'title', 'starts_at', 'ends_at', 'cron', 'duration_minutes', 'timezone', 'ended_at'])
    .where('maintenance_windows.account_id', '=', accountId)
    .where('maintenance_monitors.monitor_id', '=', monitorId)
    .execute()) as WindowRow[];
  return computeSla(
    incidents.map((i) => ({ startedAt: i.started_at, resolvedAt: i.resolved_at })),
    maintenanceSpans(windows, o.from, o.to),
    o,
    now,
  );
}
