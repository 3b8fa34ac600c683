import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/create-db.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { TestDbKind } from './env.ts';

export interface TestDb {
  db: Db;
  kind: TestDbKind;
  url: string;
  close(): Promise<void>;
}

let counter = 0;

/**
 * A fresh, migrated database: a SQLite file in a temp dir, or a private schema in the
 * PostgreSQL database of TEST_DATABASE_URL (dropped on close).
 */
export async function openTestDb(kind: TestDbKind): Promise<TestDb> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'statusping-test-'));
    const url = `file:${path.join(dir, 'test.db')}`;
    const db = createDb(url);
    await migrate(db);
    return {
      db,
      kind,
      url,
      async close() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `${schemaPrefix()}${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  const url = u.toString();
  const db = createDb(url);
  await migrate(db);
  return {
    db,
    kind,
    url,
    async close() {
      await db.destroy();
      // Outside a vitest run (no global teardown) the schema goes now; inside one, the
      // teardown drops them all at the end, because dropping a schema while another test
      // file's migrator lists tables across schemas makes that migrator fail.
      if (!process.env.STATUSPING_TEST_RUN) await dropSchemas(base, schema);
    },
  };
}

/** Test schemas of this run start with this; the global teardown drops them. */
export function schemaPrefix(): string {
  return `t_${process.env.STATUSPING_TEST_RUN ?? 'x'}_`;
}

/** Drops one schema, or every schema starting with `prefix` when it ends with an underscore. */
export async function dropSchemas(base: string, nameOrPrefix: string): Promise<number> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    const names = nameOrPrefix.endsWith('_')
      ? (await c.query<{ nspname: string }>(`select nspname from pg_namespace where starts_with(nspname, $1)`, [nameOrPrefix])).rows.map((r) => r.nspname)
      : [nameOrPrefix];
    for (const n of names) await c.query(`drop schema if exists "${n}" cascade`);
    return names.length;
  } finally {
    await c.end();
  }
}

