import { Cron } from 'croner';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { MINUTE } from '../../lib/clock.ts';
import { windowsOfMonitor } from './maintenance.repository.ts';

type DbLike = Kysely<Database>;

export type WindowRow = Omit<Selectable<Database['maintenance_windows']>, 'account_id' | 'created_at'>;

/**
 * The occurrence of a window covering `at`, if any: a one-off window covers
 * [starts_at, ends_at); a recurring one covers [run, run + duration) for its latest cron
 * run (in its time zone) at or before `at`. Ending a window early sets ended_at: a one-off
 * window is over, a recurring one loses the rest of the occurrence in progress.
 */
export function activeOccurrence(w: WindowRow, at: number): { from: number; to: number } | null {
  if (w.cron && w.duration_minutes) {
    const cron = new Cron(w.cron, { timezone: w.timezone, paused: true });
    const prev = cron.previousRuns(1, new Date(at + 1000))[0];
    cron.stop();
    if (!prev) return null;
    const from = prev.getTime();
    let to = from + w.duration_minutes * MINUTE;
    // Ending early cuts the occurrence it happened in; later occurrences run as planned.
    if (w.ended_at !== null && w.ended_at >= from && w.ended_at < to) to = w.ended_at;
    return at >= from && at < to ? { from, to } : null;
  }
  if (w.ended_at !== null && w.ended_at <= at) return null;
  if (w.starts_at !== null && w.ends_at !== null && at >= w.starts_at && at < w.ends_at) {
    return { from: w.starts_at, to: w.ended_at ? Math.min(w.ends_at, w.ended_at) : w.ends_at };
  }
  return null;
}

/** The maintenance window covering a monitor at `at`, if any. */
export async function maintenanceFor(db: DbLike, monitorId: number, at: number): Promise<(WindowRow & { from: number; to: number }) | null> {
  for (const w of await windowsOfMonitor(db, monitorId)) {
    const occ = activeOccurrence(w, at);
    if (occ) return { ...w, ...occ };
  }
  return null;
}
