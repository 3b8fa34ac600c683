import type { Db } from '../../src/db/create-db.ts';
import { createMonitorVia, persona } from './app.ts';

/** The page component showing a monitor (created here if the monitor form did not add one). */
export async function componentFor(db: Db, pageId: number, monitorId: number): Promise<number> {
  const found = await db.selectFrom('page_components').select('id').where('page_id', '=', pageId).where('monitor_id', '=', monitorId).executeTakeFirst();
  if (found) return found.id;
  const r = await db.insertInto('page_components').values({ page_id: pageId, monitor_id: monitorId, position: monitorId, created_at: Date.now() }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** A new owner (signed up through the app) with a monitor "<name> API" shown as a component of their status page. */
export async function ownerWithPage(app: Parameters<typeof persona>[0], db: Db, name = 'owner') {
  const owner = await persona(app, name);
  const monitorId = await createMonitorVia(owner, { name: `${name} API` });
  const page = await db
    .selectFrom('status_pages')
    .innerJoin('monitors', 'monitors.account_id', 'status_pages.account_id')
    .select(['status_pages.id', 'status_pages.slug'])
    .where('monitors.id', '=', monitorId)
    .executeTakeFirstOrThrow();
  const componentId = await componentFor(db, page.id, monitorId);
  return { owner, monitorId, pageId: page.id, slug: page.slug, componentId };
}
