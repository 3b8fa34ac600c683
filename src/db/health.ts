import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** A round trip that touches no table: throws when the database does not answer. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
