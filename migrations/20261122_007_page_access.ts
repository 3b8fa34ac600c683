import type { Kysely } from 'kysely';

// Frozen: private status pages (password or members only) and custom domains.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_pages').addColumn('access', 'text', (c) => c.notNull().defaultTo('public')).execute();
  await db.schema.alterTable('status_pages').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('status_pages').addColumn('custom_domain', 'text').execute();
  await db.schema.createIndex('status_pages_domain').on('status_pages').column('custom_domain').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('status_pages_domain').execute();
  for (const c of ['access', 'password_hash', 'custom_domain']) await db.schema.alterTable('status_pages').dropColumn(c).execute();
}
