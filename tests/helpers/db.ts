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
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
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
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

