import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

// Frozen: alert channels, the outbox, the delivery log and maintenance windows.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  await db.schema
    .createTable('alert_channels')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'bigint')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_channels_account').on('alert_channels').column('account_id').execute();

  await db.schema
    .createTable('monitor_channels')
    .addColumn('monitor_id', 'integer', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('monitor_channels_pk', ['monitor_id', 'channel_id'])
    .execute();
  await db.schema.createIndex('monitor_channels_channel').on('monitor_channels').column('channel_id').execute();

  // The outbox: one row per (incident, channel, event), written in the transaction that
  // opens or closes the incident; the unique key makes a duplicate impossible.
  await db.schema
    .createTable('outbox')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('monitor_id', 'integer', (c) => c.references('monitors.id').onDelete('cascade'))
    .addColumn('incident_id', 'integer')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_channel').on('outbox').columns(['channel_id', 'created_at']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', idType, id)
    .addColumn('outbox_id', 'integer', (c) => c.notNull().references('outbox.id').onDelete('cascade'))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('alert_channels.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('response', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('deliveries_channel').on('deliveries').columns(['channel_id', 'attempted_at']).execute();

  // Reminder cadence while down (null = off) and the start of a flapping spell.
  await db.schema.alterTable('monitors').addColumn('reminder_hours', 'integer').execute();
  await db.schema.alterTable('monitors').addColumn('flapping_since', 'bigint').execute();

  await db.schema
    .createTable('maintenance_windows')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint')
    .addColumn('ends_at', 'bigint')
    .addColumn('cron', 'text')
    .addColumn('duration_minutes', 'integer')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('ended_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_account').on('maintenance_windows').column('account_id').execute();
  await db.schema
    .createTable('maintenance_monitors')
    .addColumn('window_id', 'integer', (c) => c.notNull().references('maintenance_windows.id').onDelete('cascade'))
    .addColumn('monitor_id', 'integer', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('maintenance_monitors_pk', ['window_id', 'monitor_id'])
    .execute();
  await db.schema.createIndex('maintenance_monitors_monitor').on('maintenance_monitors').column('monitor_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['maintenance_monitors', 'maintenance_windows', 'deliveries', 'outbox', 'monitor_channels', 'alert_channels']) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable('monitors').dropColumn('flapping_since').execute();
  await db.schema.alterTable('monitors').dropColumn('reminder_hours').execute();
}
