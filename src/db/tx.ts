import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database } from './schema.ts';

export type Trx = Kysely<Database>;

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Runs `fn` in a write transaction. On SQLite it starts with BEGIN IMMEDIATE so two
 * processes (web and worker) writing the same file wait on busy_timeout instead of
 * failing with SQLITE_BUSY when a read lock cannot be upgraded.
 */
export async function writeTx<T>(db: Kysely<Database>, fn: (trx: Trx) => Promise<T>): Promise<T> {
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

/** A unique index refused the write (PostgreSQL 23505, SQLite's constraint codes). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
