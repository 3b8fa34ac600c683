import type { Updateable } from 'kysely';
import type { Db } from '../../db/create-db.ts';
import type { Database } from '../../db/schema.ts';
import { isDbId } from '../../lib/ids.ts';

/** Groups and components of one page. Callers scope the page to the account first (findOwnPage). */

export interface GroupRow {
  id: number;
  page_id: number;
  name: string;
  position: number;
}

export function listGroups(db: Db, pageId: number): Promise<GroupRow[]> {
  return listGroupsOfPages(db, [pageId]);
}

/** Groups of several pages (the API lists pages with their layout), page by page. */
export async function listGroupsOfPages(db: Db, pageIds: number[]): Promise<GroupRow[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('page_groups').selectAll().where('page_id', 'in', pageIds).orderBy('page_id').orderBy('position').orderBy('id').execute();
}

/** Components with what the editor and the public page need from their monitor (if any). */
export function listComponents(db: Db, pageId: number) {
  return listComponentsOfPages(db, [pageId]);
}

/** Components of several pages in display order, page by page (the API lists pages with their layout). */
export async function listComponentsOfPages(db: Db, pageIds: number[]) {
  if (pageIds.length === 0) return [];
  return db
    .selectFrom('page_components')
    .leftJoin('monitors', 'monitors.id', 'page_components.monitor_id')
    .select([
      'page_components.id', 'page_components.page_id', 'page_components.group_id', 'page_components.monitor_id', 'page_components.name',
      'page_components.description', 'page_components.manual_status', 'page_components.position',
      'monitors.name as monitor_name', 'monitors.is_public as monitor_public',
      // What the public page shows of the monitor, so it needs no second query.
      'monitors.status as monitor_status', 'monitors.is_paused as monitor_paused', 'monitors.consecutive_failures as monitor_failures',
    ])
    .where('page_components.page_id', 'in', pageIds)
    .orderBy('page_components.page_id')
    .orderBy('page_components.position')
    .orderBy('page_components.id')
    .execute();
}
export type ComponentRow = Awaited<ReturnType<typeof listComponents>>[number];

export async function countComponentsByPage(db: Db, pageIds: number[]): Promise<Map<number, number>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('page_components')
    .select(['page_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', 'in', pageIds)
    .groupBy('page_id')
    .execute();
  return new Map(rows.map((r) => [r.page_id, Number(r.n)]));
}

export async function findGroup(db: Db, pageId: number, groupId: number): Promise<GroupRow | undefined> {
  if (!isDbId(groupId)) return undefined;
  return db.selectFrom('page_groups').selectAll().where('page_id', '=', pageId).where('id', '=', groupId).executeTakeFirst();
}

export async function findComponent(db: Db, pageId: number, componentId: number) {
  if (!isDbId(componentId)) return undefined;
  return db.selectFrom('page_components').selectAll().where('page_id', '=', pageId).where('id', '=', componentId).executeTakeFirst();
}

async function nextPosition(db: Db, table: 'page_groups' | 'page_components', pageId: number): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.max<number>('position').as('p')).where('page_id', '=', pageId).executeTakeFirst();
  return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
}

export async function insertGroup(db: Db, pageId: number, name: string): Promise<number> {
  const position = await nextPosition(db, 'page_groups', pageId);
  const r = await db.insertInto('page_groups').values({ page_id: pageId, name, position }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function renameGroup(db: Db, pageId: number, groupId: number, name: string): Promise<void> {
  await db.updateTable('page_groups').set({ name }).where('page_id', '=', pageId).where('id', '=', groupId).execute();
}

/** Its components stay on the page, ungrouped. */
export async function deleteGroup(db: Db, pageId: number, groupId: number): Promise<void> {
  await db.updateTable('page_components').set({ group_id: null }).where('page_id', '=', pageId).where('group_id', '=', groupId).execute();
  await db.deleteFrom('page_groups').where('page_id', '=', pageId).where('id', '=', groupId).execute();
}

export async function setGroupPosition(db: Db, groupId: number, position: number): Promise<void> {
  await db.updateTable('page_groups').set({ position }).where('id', '=', groupId).execute();
}

export async function insertComponent(
  db: Db,
  v: { pageId: number; monitorId: number | null; name: string | null; description: string; manualStatus: string | null; groupId: number | null; now: number },
): Promise<number> {
  const position = await nextPosition(db, 'page_components', v.pageId);
  const r = await db
    .insertInto('page_components')
    .values({ page_id: v.pageId, monitor_id: v.monitorId, name: v.name, description: v.description, manual_status: v.manualStatus, group_id: v.groupId, position, created_at: v.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function updateComponent(db: Db, pageId: number, componentId: number, values: Updateable<Database['page_components']>): Promise<void> {
  await db.updateTable('page_components').set(values).where('page_id', '=', pageId).where('id', '=', componentId).execute();
}

export async function moveComponentToEnd(db: Db, pageId: number, componentId: number, groupId: number | null): Promise<void> {
  const position = await nextPosition(db, 'page_components', pageId);
  await updateComponent(db, pageId, componentId, { group_id: groupId, position });
}

export async function deleteComponent(db: Db, pageId: number, componentId: number): Promise<void> {
  await db.deleteFrom('page_components').where('page_id', '=', pageId).where('id', '=', componentId).execute();
}

export async function monitorOnPage(db: Db, pageId: number, monitorId: number): Promise<boolean> {
  const r = await db.selectFrom('page_components').select('id').where('page_id', '=', pageId).where('monitor_id', '=', monitorId).executeTakeFirst();
  return !!r;
}

export async function monitorOnAnyPage(db: Db, monitorId: number): Promise<boolean> {
  const r = await db.selectFrom('page_components').select('id').where('monitor_id', '=', monitorId).executeTakeFirst();
  return !!r;
}

/** The slug of the first page everyone may see that shows the monitor, if any (badges need one). */
export async function publicPageSlugOf(db: Db, monitorId: number): Promise<string | null> {
  const r = await db
    .selectFrom('page_components')
    .innerJoin('status_pages', 'status_pages.id', 'page_components.page_id')
    .select('status_pages.slug')
    .where('page_components.monitor_id', '=', monitorId)
    .where('status_pages.access', '=', 'public')
    .orderBy('status_pages.id')
    .executeTakeFirst();
  return r?.slug ?? null;
}

export async function firstPageId(db: Db, accountId: number): Promise<number | undefined> {
  const r = await db.selectFrom('status_pages').select('id').where('account_id', '=', accountId).orderBy('id').executeTakeFirst();
  return r?.id;
}
