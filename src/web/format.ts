/** Formatting helpers used by templates; pure functions of their inputs. */
import type { HeartbeatSettings } from '../domain/checks/probes/heartbeat.ts';
import { CHECK_TYPES } from '../domain/checks/probes/index.ts';

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v.toFixed(2)}%`;
}

export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v} ms`;
}

/** A heartbeat job's run time (from …/start to its ping): ms for quick runs, else 1m 5s style; "—" when not measured. */
export function runTime(v: number | null | undefined): string {
  if (!v) return '—';
  return v < 1000 ? `${v} ms` : duration(v);
}

/** When a heartbeat's pings are expected, in words. */
export function heartbeatSchedule(m: { intervalSeconds: number; settings: Record<string, unknown> }): string {
  const s = m.settings as Partial<HeartbeatSettings>;
  const grace = `${s.grace_seconds ?? 60} s grace`;
  return s.cron ? `a ping expected per cron "${s.cron}" (${s.timezone || 'UTC'}), ${grace}` : `a ping expected every ${interval(m.intervalSeconds)}, ${grace}`;
}

export function iso(t: number | null | undefined): string {
  return t ? new Date(t).toISOString() : '';
}

export function dateTime(t: number | string | null | undefined): string {
  if (!t) return '—';
  return new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function ago(t: number | null | undefined, now = Date.now()): string {
  if (!t) return 'never';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function duration(msValue: number): string {
  const s = Math.round(msValue / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function interval(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const STATUS_LABEL: Record<string, string> = {
  up: 'Up',
  down: 'Down',
  pending: 'Pending',
  paused: 'Paused',
  maintenance: 'Under maintenance',
  operational: 'All systems operational',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

/**
 * A page's name as a status page ("Acme" → "Acme status"); a title that already ends with
 * "status" is left as it is, so "Acme Status" does not become "Acme Status status".
 */
export function statusName(title: string): string {
  return /\bstatus$/i.test(title.trim()) ? title.trim() : `${title.trim()} status`;
}

export function statusLabel(s: string): string {
  return STATUS_LABEL[s] ?? s;
}

/** Tailwind classes for a status pill. */
export function statusClass(s: string): string {
  switch (s) {
    case 'up':
    case 'operational':
      return 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200';
    case 'down':
    case 'major_outage':
      return 'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200';
    case 'partial_outage':
      return 'bg-orange-100 text-orange-800 dark:bg-orange-900/50 dark:text-orange-200';
    case 'degraded':
      return 'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-200';
    default:
      return 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300';
  }
}

/** Class of a 90-day bar from that day's uptime (short names: a page has thousands of bars). */
export function barClass(uptime: number | null): string {
  if (uptime === null) return 'b0';
  if (uptime >= 99.9) return 'b1';
  if (uptime >= 99) return 'b2';
  if (uptime >= 95) return 'b3';
  return 'b4';
}

/**
 * An address shown to members who may not manage subscribers: enough to recognise it, not
 * enough to harvest it ("r•••@example.com", "https://hooks.example.com/•••").
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at > 0) return `${address[0]}•••${address.slice(at)}`;
  try {
    return `${new URL(address).origin}/•••`;
  } catch {
    return '•••';
  }
}

/**
 * Day bars as runs of one colour: a single element per run (widened with flex-grow) keeps a
 * 90-day bar near 1 KB instead of 4 KB, so a 100-component page stays small. The tooltip of a
 * run names its dates and its lowest day. Only dates and numbers go in, so nothing needs escaping.
 */
export function dayBars(days: ReadonlyArray<{ date: string; uptime: number | null }>): string {
  let out = '';
  for (let i = 0; i < days.length; ) {
    const cls = barClass(days[i]!.uptime);
    let j = i;
    let low = days[i]!.uptime;
    let high = low;
    while (j + 1 < days.length && barClass(days[j + 1]!.uptime) === cls) {
      j++;
      const u = days[j]!.uptime;
      if (u !== null && low !== null) {
        low = Math.min(low, u);
        high = Math.max(high!, u);
      }
    }
    const n = j - i + 1;
    const when = n === 1 ? days[i]!.date : `${days[i]!.date} – ${days[j]!.date}`;
    const what = low === null ? 'no data' : low === high ? `${low.toFixed(2)}%` : `${low.toFixed(2)}–${high!.toFixed(2)}%`;
    out += `<i class="b ${cls}"${n > 1 ? ` style="flex-grow:${n}"` : ''} title="${when}: ${what}"></i>`;
    i = j + 1;
  }
  return out;
}

/** Points of an SVG polyline for a response-time series, scaled into width × height. */
export function chartPath(points: Array<{ at: number; ms: number | null }>, from: number, to: number, width: number, height: number) {
  const values = points.filter((p) => p.ms !== null) as Array<{ at: number; ms: number }>;
  const max = Math.max(1, ...values.map((p) => p.ms));
  const x = (at: number) => (((at - from) / (to - from)) * width).toFixed(1);
  const y = (v: number) => (height - (v / max) * (height - 4) - 2).toFixed(1);
  return { line: values.map((p) => `${x(p.at)},${y(p.ms)}`).join(' '), max, x, y };
}

/** Polylines for p50/p95/p99 over a range, scaled to one shared maximum. */
export function percentileChart(points: Array<{ at: number; p50: number | null; p95: number | null; p99: number | null }>, from: number, to: number, width: number, height: number) {
  const max = Math.max(1, ...points.flatMap((p) => [p.p50 ?? 0, p.p95 ?? 0, p.p99 ?? 0]));
  const x = (at: number) => (((at - from) / (to - from)) * width).toFixed(1);
  const y = (v: number) => (height - (v / max) * (height - 4) - 2).toFixed(1);
  const line = (k: 'p50' | 'p95' | 'p99') => points.filter((p) => p[k] !== null).map((p) => `${x(p.at)},${y(p[k]!)}`).join(' ');
  return { max, p50: line('p50'), p95: line('p95'), p99: line('p99'), x };
}

/** What a monitor checks, in words: its type's summary (non-HTTP monitors keep an internal pseudo-URL). */
export function target(m: { type: string; url: string; settings: Record<string, unknown> }): string {
  const def = CHECK_TYPES.get(m.type);
  try {
    return (def?.summary ?? def?.target)?.(m.settings) ?? m.url;
  } catch {
    return m.url; // settings stored before a rule was tightened may not describe themselves
  }
}
