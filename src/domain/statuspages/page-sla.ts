import type { Db } from '../../db/create-db.ts';
import { type SlaOptions, type SlaReport, slaForMonitor } from '../incidents/sla.ts';
import { firstResultAt } from '../incidents/sla.repository.ts';
import { listComponents } from './components.repository.ts';
import { findOwnPage } from './pages.repository.ts';

export interface PageSlaReport {
  page: { id: number; title: string; slug: string };
  target: number;
  components: Array<{ id: number; monitorId: number; name: string; report: SlaReport }>;
  /**
   * Mean uptime of the components with data and the worst one, each against the page's
   * target; null when no component has data (none, or their monitors did not exist yet).
   */
  total: { meanUptime: number | null; meanMet: boolean | null; worst: { name: string; uptimePercent: number; met: boolean } | null; downtimeMinutes: number; incidents: number };
  /** The earliest time any component is counted from; null when none has data. */
  countedFrom: number | null;
  /** Oldest raw check kept (degraded time before it is unknown); null when none. */
  degradedKnownFrom: number | null;
}

/**
 * The SLA of a page: each monitor component (private monitors are not on the public page,
 * so they are left out) measured like the per-monitor report, against the page's SLA target.
 * Manual components have no measured history and are not part of it; a component whose
 * monitor did not exist yet in the period has no data and is left out of the mean and worst.
 */
export async function slaForPage(db: Db, accountId: number, pageId: number, o: Omit<SlaOptions, 'target'>, now: number): Promise<PageSlaReport> {
  const page = await findOwnPage(db, accountId, pageId);
  const target = Number(page.sla_target);
  const rows = (await listComponents(db, page.id)).filter((c) => c.monitor_id !== null && c.monitor_public === 1);
  const components = [];
  for (const c of rows) {
    components.push({ id: c.id, monitorId: c.monitor_id!, name: c.name || c.monitor_name || '', report: await slaForMonitor(db, accountId, c.monitor_id!, { ...o, target }, now) });
  }
  const first = await firstResultAt(db, rows.map((r) => r.monitor_id!));
  const measured = components.flatMap((c) => (c.report.uptimePercent === null ? [] : [{ name: c.name, uptimePercent: c.report.uptimePercent, met: c.report.met === true }]));
  const mean = measured.length ? measured.reduce((n, c) => n + c.uptimePercent, 0) / measured.length : null;
  const worst = measured.reduce<(typeof measured)[number] | null>((w, c) => (!w || c.uptimePercent < w.uptimePercent ? c : w), null);
  const starts = components.flatMap((c) => (c.report.countedFrom === null ? [] : [c.report.countedFrom]));
  return {
    page: { id: page.id, title: page.title, slug: page.slug },
    target,
    components,
    total: {
      meanUptime: mean === null ? null : Math.round(mean * 1000) / 1000,
      meanMet: mean === null ? null : mean >= target,
      worst,
      downtimeMinutes: components.reduce((n, c) => n + c.report.downtimeMinutes, 0),
      incidents: components.reduce((n, c) => n + c.report.incidents, 0),
    },
    countedFrom: starts.length ? Math.min(...starts) : null,
    degradedKnownFrom: first,
  };
}
