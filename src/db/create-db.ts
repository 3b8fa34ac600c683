import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function dbKind(url: string): DbKind {
  return url.startsWith('postgres') ? 'postgres' : 'sqlite';
}

/** Builds a Kysely instance for `file:<path>` (SQLite) or `postgres://…` URLs. */
export function createDb(databaseUrl: string): Db {
  if (dbKind(databaseUrl) === 'postgres') {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      // Epoch-millisecond bigints and aggregates come back as numbers, as they do from SQLite.
      types: {
        getTypeParser: (oid: number, format?: string) =>
          oid === INT8_OID || oid === NUMERIC_OID
            ? (v: string) => Number(v)
            : pg.types.getTypeParser(oid, format as 'text'),
      } as pg.CustomTypesConfig,
    });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const path = databaseUrl.slice('file:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL in WAL mode can lose the last commits on power loss, never corrupt; the outbox
  // that needs FULL does not exist yet, and checks are cheap to lose.
  sqlite.pragma('synchronous = NORMAL');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
}

/**
 * Kysely prepares every query afresh, so SQLite would re-parse the same few statements
 * thousands of times a second under load. Reusing prepared statements by SQL text is safe
 * here: Kysely's SQLite driver runs one query at a time on its single connection and
 * finishes each (all/run) before the next; streaming (iterate) is not used.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (text: string) => {
    let stmt = cache.get(text);
    if (!stmt) {
      if (cache.size >= max) cache.clear();
      stmt = sqlite.prepare(text);
      cache.set(text, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
