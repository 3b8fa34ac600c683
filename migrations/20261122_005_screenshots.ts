import { type Kysely, PostgresAdapter } from 'kysely';

// Frozen: the screenshot of a browser monitor's last failure (one per monitor).

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('monitor_screenshots')
    .addColumn('monitor_id', 'integer', (c) => c.primaryKey().references('monitors.id').onDelete('cascade'))
    .addColumn('taken_at', 'bigint', (c) => c.notNull())
    .addColumn('png', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('monitor_screenshots').execute();
}
