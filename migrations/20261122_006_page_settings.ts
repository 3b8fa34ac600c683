import type { Kysely } from 'kysely';

// Frozen: status page presentation settings.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_pages').addColumn('description', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('status_pages').addColumn('footer_text', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('status_pages').addColumn('bar_days', 'integer', (c) => c.notNull().defaultTo(90)).execute();
  await db.schema.alterTable('status_pages').addColumn('accent', 'text', (c) => c.notNull().defaultTo('#4f46e5')).execute();
  await db.schema.alterTable('status_pages').addColumn('theme', 'text', (c) => c.notNull().defaultTo('auto')).execute();
  await db.schema.alterTable('status_pages').addColumn('hide_powered_by', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['description', 'footer_text', 'bar_days', 'accent', 'theme', 'hide_powered_by']) {
    await db.schema.alterTable('status_pages').dropColumn(c).execute();
  }
}
