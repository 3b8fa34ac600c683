import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Frozen: billing state (Stripe), processed webhook events, invitations, single-use user
// tokens (email verification, password reset, email change), API keys and the audit log.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  for (const [col, type] of [
    ['stripe_customer_id', 'text'],
    ['stripe_subscription_id', 'text'],
    ['subscription_status', 'text'], // Stripe's status: active, past_due, canceled, …
    ['payment_failed_at', 'bigint'], // start of the grace period after a failed payment
    ['plan_changed_at', 'bigint'],
  ] as const) {
    await db.schema.alterTable('accounts').addColumn(col, type).execute();
  }
  await db.schema.createIndex('accounts_stripe_customer').on('accounts').column('stripe_customer_id').unique().execute();

  await db.schema.alterTable('users').addColumn('email_verified_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('last_seen_at', 'bigint').execute();
  // Why a monitor is paused when the system paused it (e.g. 'plan' after a downgrade); null = by a person.
  await db.schema.alterTable('monitors').addColumn('paused_reason', 'text').execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('accepted_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('invitations_account').on('invitations').column('account_id').execute();

  await db.schema
    .createTable('user_tokens')
    .addColumn('id', idType, id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull()) // verify_email | reset_password | change_email
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('new_email', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('user_tokens_user').on('user_tokens').columns(['user_id', 'purpose']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull()) // read | write
    .addColumn('prefix', 'text', (c) => c.notNull()) // shown in lists to tell keys apart
    .addColumn('key_hash', 'text', (c) => c.notNull().unique()) // SHA-256 of the whole key
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_account').on('api_keys').column('account_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('api_key_id', 'integer', (c) => c.references('api_keys.id').onDelete('set null'))
    .addColumn('actor', 'text', (c) => c.notNull()) // email or key name at the time, kept when they are gone
    .addColumn('action', 'text', (c) => c.notNull()) // e.g. monitor.created, member.invited, billing.plan_changed
    .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_account').on('audit_log').columns(['account_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_log', 'api_keys', 'user_tokens', 'invitations', 'stripe_events']) await db.schema.dropTable(t).execute();
  await db.schema.alterTable('monitors').dropColumn('paused_reason').execute();
  for (const c of ['email_verified_at', 'last_seen_at']) await db.schema.alterTable('users').dropColumn(c).execute();
  await db.schema.dropIndex('accounts_stripe_customer').execute();
  for (const c of ['stripe_customer_id', 'stripe_subscription_id', 'subscription_status', 'payment_failed_at', 'plan_changed_at']) {
    await db.schema.alterTable('accounts').dropColumn(c).execute();
  }
}
