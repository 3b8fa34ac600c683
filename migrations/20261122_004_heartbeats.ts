import type { Kysely } from 'kysely';

// Frozen: the secret push token of heartbeat monitors, and their last ping and start times.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('monitors').addColumn('push_token', 'text').execute();
  await db.schema.alterTable('monitors').addColumn('last_ping_at', 'bigint').execute();
  await db.schema.alterTable('monitors').addColumn('run_started_at', 'bigint').execute();
  await db.schema.createIndex('monitors_push_token').on('monitors').column('push_token').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('monitors_push_token').execute();
  for (const c of ['push_token', 'last_ping_at', 'run_started_at']) await db.schema.alterTable('monitors').dropColumn(c).execute();
}
