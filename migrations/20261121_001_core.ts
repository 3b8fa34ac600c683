import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: a later change gets a new migration file. Imports only kysely.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const idType = pg ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());
  const withoutRowid = pg ? sql`` : sql`without rowid`;

  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('plan', 'text', (c) => c.notNull().defaultTo('free'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['account_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('monitors')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().defaultTo('GET'))
    .addColumn('expected_status', 'text', (c) => c.notNull().defaultTo('200-399'))
    .addColumn('keyword', 'text')
    .addColumn('timeout_ms', 'integer', (c) => c.notNull().defaultTo(10000))
    .addColumn('interval_s', 'integer', (c) => c.notNull())
    .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('failure_threshold', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('is_paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_checked_at', 'bigint')
    .addColumn('last_ok', 'integer')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_response_ms', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('check_requested_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitors_account').on('monitors').column('account_id').execute();
  await db.schema.createIndex('monitors_updated').on('monitors').column('updated_at').execute();

  // The key is the clustering order: one monitor's results sit together, newest last.
  await db.schema
    .createTable('check_results')
    .addColumn('monitor_id', 'integer', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_ms', 'integer')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('check_results_pk', ['monitor_id', 'checked_at'])
    .modifyEnd(withoutRowid)
    .execute();

  for (const table of ['rollups_hourly', 'rollups_daily']) {
    let t = db.schema
      .createTable(table)
      .addColumn('monitor_id', 'integer', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('checks', 'integer', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('rt_count', 'integer', (c) => c.notNull())
      .addColumn('rt_sum', 'bigint', (c) => c.notNull())
      .addColumn('rt_min', 'integer')
      .addColumn('rt_max', 'integer');
    for (let i = 0; i < 18; i++) t = t.addColumn(`h${i}`, 'integer', (c) => c.notNull().defaultTo(0));
    await t
      .addPrimaryKeyConstraint(`${table}_pk`, ['monitor_id', 'bucket_start'])
      .modifyEnd(withoutRowid)
      .execute();
  }

  await db.schema
    .createTable('incidents')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('monitor_id', 'integer', (c) => c.notNull().references('monitors.id').onDelete('cascade'))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('cause', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_monitor').on('incidents').columns(['monitor_id', 'started_at']).execute();
  await db.schema.createIndex('incidents_account').on('incidents').columns(['account_id', 'started_at']).execute();
  // At most one open incident per monitor, whatever races happen.
  await db.schema
    .createIndex('incidents_one_open')
    .on('incidents')
    .column('monitor_id')
    .unique()
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('status_pages')
    .addColumn('id', idType, id)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'status_pages', 'incidents', 'rollups_daily', 'rollups_hourly', 'check_results',
    'monitors', 'sessions', 'memberships', 'accounts', 'users', 'instance_settings',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
