import { type Expression, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Every difference between SQLite and PostgreSQL the application relies on, in one file, so
 * services and repositories never ask which database they run on (a test refuses `isPostgres`
 * outside src/db). What both accept (`excluded.` in upserts, RETURNING, `||`, CASE) is written
 * once where it is used; only what differs lives here.
 */

type Db = Kysely<Database>;
export type Dialect = 'postgres' | 'sqlite';

/** Which database `db` talks to, from Kysely's adapter (a transaction inherits its database's). */
export function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function isPostgres(db: Db): boolean {
  return dialectOf(db) === 'postgres';
}

/**
 * Runs `fn` in a write transaction. On SQLite it starts with BEGIN IMMEDIATE so two
 * processes (web and worker) writing the same file wait on busy_timeout instead of
 * failing with SQLITE_BUSY when a read lock cannot be upgraded.
 */
export async function writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (isPostgres(db)) return db.transaction().execute(fn);
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

/**
 * Locks one row until the transaction ends, to serialise writers that check a count first
 * (plan limits, "the last owner"). PostgreSQL: SELECT … FOR UPDATE. SQLite: nothing to do,
 * writeTransaction's BEGIN IMMEDIATE already holds the database's only write lock.
 */
export async function lockRowForUpdate(trx: Db, table: 'accounts', id: number): Promise<void> {
  if (isPostgres(trx)) await sql`select id from ${sql.table(table)} where id = ${id} for update`.execute(trx);
}

/** Joins the values of a grouped column with `separator`: string_agg (PostgreSQL), group_concat (SQLite). */
export function stringAgg(db: Db, value: Expression<unknown> | RawBuilder<unknown>, separator: string): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`string_agg(${value}, ${sql.lit(separator)})` : sql<string>`group_concat(${value}, ${sql.lit(separator)})`;
}

/** A unique index refused the write (PostgreSQL 23505, SQLite's constraint codes). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The schema in use on PostgreSQL (search_path); SQLite has none, so undefined. */
export async function currentSchema(db: Db): Promise<string | undefined> {
  if (!isPostgres(db)) return undefined;
  return (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s;
}

