import type { Db } from '../../db/create-db.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { findInAccount } from '../monitors/monitors.repository.ts';
import { resultsBetween } from './checks.repository.ts';

/**
 * One page of a monitor's raw check results in [from, to), newest first. The monitor must
 * be the account's; `nextCursor` is the `before` of the next page, or null on the last one.
 */
export async function listResults(db: Db, accountId: number, monitorId: number, r: { from: number; to: number; before?: number; limit: number }) {
  if (!(await findInAccount(db, accountId, monitorId))) throw new NotFoundError('Monitor');
  const rows = await resultsBetween(db, monitorId, { ...r, limit: r.limit + 1 });
  const page = rows.slice(0, r.limit);
  return { results: page, nextCursor: rows.length > r.limit ? page.at(-1)!.checkedAt : null };
}
