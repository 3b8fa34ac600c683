import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { SUBSCRIBER_QUEUE, enqueueRows } from '../outbox/queue.repository.ts';

type DbLike = Kysely<Database>;

export type SubscriberRow = Selectable<Database['subscribers']>;
export type NoticeRow = Selectable<Database['subscriber_outbox']>;

/** Confirmed subscribers of a page, with their component filter (JSON or null). */
export function confirmedOfPage(db: DbLike, pageId: number) {
  return db.selectFrom('subscribers').select(['id', 'component_ids']).where('page_id', '=', pageId).where('confirmed_at', 'is not', null).orderBy('id').execute();
}

/**
 * The status page subscribers sign up to, read here rather than through the status-pages
 * context: that context notifies subscribers, so subscribers must not depend on it.
 */
export function pageBySlug(db: DbLike, slug: string) {
  return db
    .selectFrom('status_pages')
    .innerJoin('accounts', 'accounts.id', 'status_pages.account_id')
    .select(['status_pages.id', 'status_pages.slug', 'status_pages.title', 'status_pages.account_id', 'accounts.plan'])
    .where('status_pages.slug', '=', slug)
    .executeTakeFirst();
}

/** One of the account's pages (undefined for another account's), as the subscriber views show it. */
export function ownPage(db: DbLike, accountId: number, pageId: number) {
  return db.selectFrom('status_pages').selectAll().where('id', '=', pageId).where('account_id', '=', accountId).executeTakeFirst();
}

/** One queued notice (subscriber_outbox row), for the dispatcher's attempt. */
export function findNotice(db: DbLike, id: number): Promise<NoticeRow | undefined> {
  return db.selectFrom('subscriber_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export function enqueueNotices(db: DbLike, rows: Array<Insertable<Database['subscriber_outbox']>>): Promise<number> {
  return enqueueRows(db, SUBSCRIBER_QUEUE.table, rows);
}

export async function findById(db: DbLike, id: number): Promise<SubscriberRow | undefined> {
  return (await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst()) as SubscriberRow | undefined;
}

export async function findByAddress(db: DbLike, pageId: number, kind: string, address: string): Promise<SubscriberRow | undefined> {
  return (await db.selectFrom('subscribers').selectAll().where('page_id', '=', pageId).where('kind', '=', kind).where('address', '=', address).executeTakeFirst()) as
    | SubscriberRow
    | undefined;
}

/** Inserts unless the (page, kind, address) exists; returns the row either way. */
export async function insertOrGet(db: DbLike, v: Insertable<Database['subscribers']>): Promise<{ row: SubscriberRow; created: boolean }> {
  const r = await db
    .insertInto('subscribers')
    .values(v)
    .onConflict((oc) => oc.columns(['page_id', 'kind', 'address']).doNothing())
    .returning('id')
    .executeTakeFirst();
  const row = await findByAddress(db, v.page_id, v.kind, v.address);
  return { row: row!, created: !!r };
}

export async function setComponents(db: DbLike, id: number, componentIds: string | null) {
  await db.updateTable('subscribers').set({ component_ids: componentIds }).where('id', '=', id).execute();
}

/** Confirms once: true only for the call that changed the row. */
export async function confirm(db: DbLike, id: number, now: number): Promise<boolean> {
  const r = await db.updateTable('subscribers').set({ confirmed_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes a subscriber (its queued notices go with it); true if there was one. */
export async function remove(db: DbLike, id: number): Promise<boolean> {
  const r = await db.deleteFrom('subscribers').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function countForPage(db: DbLike, pageId: number): Promise<{ total: number; confirmed: number }> {
  const r = await db
    .selectFrom('subscribers')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('confirmed_at').as('confirmed')])
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return { total: Number(r.total), confirmed: Number(r.confirmed) };
}

export async function listForPage(db: DbLike, pageId: number, limit?: number): Promise<SubscriberRow[]> {
  let q = db.selectFrom('subscribers').selectAll().where('page_id', '=', pageId).orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (limit !== undefined) q = q.limit(limit);
  return (await q.execute()) as SubscriberRow[];
}

/** A page's public components: monitors shown publicly and manual components, in page order. */
export function publicComponents(db: DbLike, pageId: number) {
  return db
    .selectFrom('page_components')
    .leftJoin('monitors', 'monitors.id', 'page_components.monitor_id')
    .select(['page_components.id', 'page_components.name', 'monitors.name as monitor_name'])
    .where('page_components.page_id', '=', pageId)
    .where((eb) => eb.or([eb('page_components.monitor_id', 'is', null), eb('monitors.is_public', '=', 1)]))
    .orderBy('page_components.position')
    .orderBy('page_components.id')
    .execute();
}

/** Deletes unconfirmed subscribers created before `before`; returns how many. */
export async function pruneUnconfirmed(db: DbLike, before: number): Promise<number> {
  const r = await db.deleteFrom('subscribers').where('confirmed_at', 'is', null).where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The page a subscriber belongs to, for links and message headers. */
export function pageOf(db: DbLike, pageId: number) {
  return db.selectFrom('status_pages').select(['id', 'slug', 'title', 'account_id']).where('id', '=', pageId).executeTakeFirst();
}
