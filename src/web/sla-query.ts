import type { Context } from 'hono';
import type { AppEnv } from './deps.ts';

/**
 * The accounting choices of an SLA report from its query string: ?month=YYYY-MM (not in the
 * future; default this month), ?maintenance=exclude|count (default exclude) and
 * ?degraded=ignore|count (default ignore).
 */
export function slaQuery(c: Context<AppEnv>) {
  const now = c.get('deps').clock.now();
  const current = new Date(now).toISOString().slice(0, 7);
  const q = c.req.query();
  const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(q.month ?? '') && q.month! <= current ? q.month! : current;
  const [y, mo] = month.split('-').map(Number) as [number, number];
  return {
    now,
    month,
    from: Date.UTC(y, mo - 1, 1),
    to: Date.UTC(y, mo, 1),
    excludeMaintenance: q.maintenance !== 'count',
    countDegraded: q.degraded === 'count',
    csv: q.format === 'csv',
  };
}

export const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`;
