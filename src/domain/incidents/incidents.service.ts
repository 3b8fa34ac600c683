import type { Db } from '../../db/create-db.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import * as repo from './incidents.repository.ts';

export interface MonitorIncident {
  id: number;
  monitorId: number;
  monitorName: string;
  startedAt: number;
  resolvedAt: number | null;
  cause: string;
}

type Row = Awaited<ReturnType<typeof repo.listForAccount>>[number];

function toIncident(r: Row): MonitorIncident {
  return { id: r.id, monitorId: r.monitor_id, monitorName: r.monitor_name, startedAt: r.started_at, resolvedAt: r.resolved_at, cause: r.cause };
}

/**
 * One page of the account's monitor incidents, newest first. `nextCursor` is the id to pass
 * as `before` for the next page, or null on the last page.
 */
export async function listIncidents(db: Db, accountId: number, f: Omit<repo.IncidentFilter, 'limit'> & { limit: number }) {
  const rows = await repo.listForAccount(db, accountId, { ...f, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit).map(toIncident);
  return { incidents: page, nextCursor: rows.length > f.limit ? page.at(-1)!.id : null };
}

export async function getIncident(db: Db, accountId: number, id: number): Promise<MonitorIncident> {
  const r = isDbId(id) ? await repo.findInAccountWithMonitor(db, accountId, id) : undefined;
  if (!r) throw new NotFoundError('Incident');
  return toIncident(r);
}

/** The monitor's latest incidents, newest first (the caller has checked the monitor is the account's). */
export function incidentsOfMonitor(db: Db, accountId: number, monitorId: number, limit = 20) {
  return repo.listForMonitor(db, accountId, monitorId, limit);
}
