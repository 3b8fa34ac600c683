import type { Db } from '../../db/create-db.ts';
import { isDbId } from '../../lib/ids.ts';
import { NotFoundError } from '../../lib/errors.ts';

/** One of the account's status pages; another account's page id is "not found". */
export async function findOwnPage(db: Db, accountId: number, pageId: number) {
  const p = isDbId(pageId)
    ? await db.selectFrom('status_pages').selectAll().where('id', '=', pageId).where('account_id', '=', accountId).executeTakeFirst()
    : undefined;
  if (!p) throw new NotFoundError('Status page');
  return p;
}

export function listOwnPages(db: Db, accountId: number) {
  return db.selectFrom('status_pages').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}
