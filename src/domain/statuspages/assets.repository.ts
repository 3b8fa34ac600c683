import type { Db } from '../../db/create-db.ts';

/** The kinds of asset a page has, with their versions (updated_at). */
export function versionsOf(db: Db, pageId: number): Promise<Array<{ kind: string; updated_at: number }>> {
  return db.selectFrom('page_assets').select(['kind', 'updated_at']).where('page_id', '=', pageId).execute();
}

/** One asset per (page, kind): a new upload replaces the old one. */
export async function putAsset(db: Db, v: { pageId: number; kind: string; contentType: string; data: Buffer; now: number }): Promise<void> {
  await db
    .insertInto('page_assets')
    .values({ page_id: v.pageId, kind: v.kind, content_type: v.contentType, data: v.data, updated_at: v.now })
    .onConflict((oc) => oc.columns(['page_id', 'kind']).doUpdateSet({ content_type: v.contentType, data: v.data, updated_at: v.now }))
    .execute();
}

export async function deleteAsset(db: Db, pageId: number, kind: string): Promise<void> {
  await db.deleteFrom('page_assets').where('page_id', '=', pageId).where('kind', '=', kind).execute();
}

export function findBySlug(db: Db, slug: string, kind: string) {
  return db
    .selectFrom('page_assets')
    .innerJoin('status_pages', 'status_pages.id', 'page_assets.page_id')
    .select(['page_assets.content_type', 'page_assets.data', 'page_assets.updated_at'])
    .where('status_pages.slug', '=', slug)
    .where('page_assets.kind', '=', kind)
    .executeTakeFirst();
}
