import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

/** Keeps the screenshot of the last failed browser journey (one per monitor). */
export async function saveScreenshot(db: DbLike, monitorId: number, at: number, png: Buffer): Promise<void> {
  await db
    .insertInto('monitor_screenshots')
    .values({ monitor_id: monitorId, taken_at: at, png })
    .onConflict((oc) => oc.column('monitor_id').doUpdateSet({ taken_at: at, png }))
    .execute();
}
