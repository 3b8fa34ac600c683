import type { Updateable } from 'kysely';
import type { Db } from '../../db/create-db.ts';
import type { Database } from '../../db/schema.ts';
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

/** The account's first (default) page, if it has one. */
export function firstOwnPage(db: Db, accountId: number) {
  return db.selectFrom('status_pages').selectAll().where('account_id', '=', accountId).orderBy('id').executeTakeFirst();
}

export async function insertPage(db: Db, v: { accountId: number; slug: string; title: string; now: number }): Promise<number> {
  const r = await db.insertInto('status_pages').values({ account_id: v.accountId, slug: v.slug, title: v.title, created_at: v.now }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateOwnPage(db: Db, accountId: number, pageId: number, values: Updateable<Database['status_pages']>): Promise<void> {
  await db.updateTable('status_pages').set(values).where('id', '=', pageId).where('account_id', '=', accountId).execute();
}

/** Components, groups and assets go with the page (ON DELETE CASCADE). */
export async function deleteOwnPage(db: Db, accountId: number, pageId: number): Promise<void> {
  await db.deleteFrom('status_pages').where('id', '=', pageId).where('account_id', '=', accountId).execute();
}

/** A page by its public address, with what rendering it needs from its account. */
export function findBySlugWithAccount(db: Db, slug: string) {
  return db
    .selectFrom('status_pages')
    .innerJoin('accounts', 'accounts.id', 'status_pages.account_id')
    .select([
      'status_pages.id', 'status_pages.slug', 'status_pages.title', 'status_pages.account_id', 'accounts.name as account_name', 'accounts.plan',
      'status_pages.description', 'status_pages.footer_text', 'status_pages.bar_days', 'status_pages.accent', 'status_pages.theme', 'status_pages.hide_powered_by',
      'status_pages.footer_links',
    ])
    .where('status_pages.slug', '=', slug)
    .executeTakeFirst();
}

/** Who may see the page at `slug`: its access mode and password hash. */
export function accessBySlug(db: Db, slug: string) {
  return db.selectFrom('status_pages').select(['slug', 'account_id', 'access', 'password_hash']).where('slug', '=', slug).executeTakeFirst();
}

/** The page that verified `host` as its custom domain, with its account's plan. */
export function verifiedForDomain(db: Db, host: string) {
  return db
    .selectFrom('status_pages')
    .innerJoin('accounts', 'accounts.id', 'status_pages.account_id')
    .select(['status_pages.slug', 'accounts.plan'])
    .where('status_pages.custom_domain', '=', host)
    .where('status_pages.domain_verified_at', 'is not', null)
    .executeTakeFirst();
}
