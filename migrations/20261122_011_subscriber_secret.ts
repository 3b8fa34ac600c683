import type { Kysely } from 'kysely';

// Frozen: webhook subscribers get their own Standard Webhooks signing secret (whsec_…),
// handed to the endpoint in its subscription.confirm delivery. Null for email subscribers.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('subscribers').addColumn('secret', 'text').execute();
  // The pruner looks for old unconfirmed subscribers.
  await db.schema.createIndex('subscribers_unconfirmed').on('subscribers').columns(['confirmed_at', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('subscribers_unconfirmed').execute();
  await db.schema.alterTable('subscribers').dropColumn('secret').execute();
}
