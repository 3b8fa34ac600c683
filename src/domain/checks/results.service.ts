import type { Db } from '../../db/create-db.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { recentResults as recent, resultsBetween } from './checks.repository.ts';
import { findScreenshot, monitorInAccount } from './monitor-state.repository.ts';

/**
 * One page of a monitor's raw check results in [from, to), newest first. The monitor must
 * be the account's; `nextCursor` is the `before` of the next page, or null on the last one.
 */
export async function listResults(db: Db, accountId: number, monitorId: number, r: { from: number; to: number; before?: number; limit: number }) {
  if (!(await monitorInAccount(db, accountId, monitorId))) throw new NotFoundError('Monitor');
  const rows = await resultsBetween(db, monitorId, { ...r, limit: r.limit + 1 });
  const page = rows.slice(0, r.limit);
  return { results: page, nextCursor: rows.length > r.limit ? page.at(-1)!.checkedAt : null };
}

/** A monitor's latest `limit` results, newest first (the caller has checked the monitor is the account's). */
export function recentResults(db: Db, monitorId: number, limit: number) {
  return recent(db, monitorId, limit);
}

/** The page of the last failed browser journey, if one was kept. */
export async function lastScreenshot(db: Db, monitorId: number): Promise<{ png: Buffer; takenAt: number } | undefined> {
  const shot = await findScreenshot(db, monitorId);
  return shot && { png: shot.png, takenAt: shot.taken_at };
}
