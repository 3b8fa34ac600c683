import type { Kysely } from 'kysely';

// Frozen: monitor types with per-type settings, retries, the degraded threshold, and the
// attempt count and check node (region) of each result.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('monitors').addColumn('type', 'text', (c) => c.notNull().defaultTo('http')).execute();
  await db.schema.alterTable('monitors').addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('monitors').addColumn('retries', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('monitors').addColumn('degraded_ms', 'integer').execute();
  // NULL attempts means 1 and NULL region means "local": the common case costs no bytes.
  await db.schema.alterTable('check_results').addColumn('attempts', 'integer').execute();
  await db.schema.alterTable('check_results').addColumn('region', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['type', 'settings', 'retries', 'degraded_ms']) await db.schema.alterTable('monitors').dropColumn(c).execute();
  for (const c of ['attempts', 'region']) await db.schema.alterTable('check_results').dropColumn(c).execute();
}
