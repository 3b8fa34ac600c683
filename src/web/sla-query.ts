import type { Context } from 'hono';
import type { SlaReport } from '../domain/incidents/sla.ts';
import type { AppEnv } from './deps.ts';

/**
 * The accounting choices of an SLA report from its query string: ?month=YYYY-MM (not in the
 * future; default this month), ?maintenance=exclude|count (default exclude) and
 * ?degraded=ignore|count (default ignore). A month that is malformed or in the future falls
 * back to this month with `monthError` saying so (the page shows it; a CSV is refused).
 */
export function slaQuery(c: Context<AppEnv>) {
  const now = c.get('deps').clock.now();
  const current = new Date(now).toISOString().slice(0, 7);
  const q = c.req.query();
  const asked = (q.month ?? '').trim();
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(asked);
  const monthError =
    asked === '' ? null
    : !valid ? `“${asked.slice(0, 20)}” is not a month: use YYYY-MM, e.g. ${current}. Showing ${current} instead.`
    : asked > current ? `${asked} has not started yet. Showing ${current} instead.`
    : null;
  const month = valid && asked <= current ? asked : current;
  const [y, mo] = month.split('-').map(Number) as [number, number];
  return {
    now,
    month,
    monthError,
    from: Date.UTC(y, mo - 1, 1),
    to: Date.UTC(y, mo, 1),
    excludeMaintenance: q.maintenance !== 'count',
    countDegraded: q.degraded === 'count',
    csv: q.format === 'csv',
  };
}

export { csvCell } from '../lib/csv.ts';

/** The columns of a page's SLA CSV; a monitor's starts with `monitor` instead of the first two. */
export const SLA_CSV_HEADER =
  'component,monitor_id,month,target_percent,uptime_percent,met,period_minutes,downtime_minutes,incidents,mttr_minutes,maintenance_excluded_minutes,degraded_minutes,degraded_counted,counted_from';

/** A report's cells from uptime_percent on; without data, uptime, met and counted_from are empty. */
export function slaCsvCells(x: SlaReport): Array<string | number | boolean> {
  return [
    x.uptimePercent ?? '', x.met ?? '', x.periodMinutes, x.downtimeMinutes, x.incidents, x.mttrMinutes ?? '', x.excludedMaintenanceMinutes, x.degradedMinutes, x.degradedCounted,
    x.countedFrom === null ? '' : new Date(x.countedFrom).toISOString(),
  ];
}
