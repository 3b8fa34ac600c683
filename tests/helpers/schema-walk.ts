import { sql } from 'kysely';
import type { Db } from '../../src/db/create-db.ts';
import { isPostgres } from '../../src/db/dialect.ts';

export interface ForeignKey {
  table: string;
  column: string;
  refTable: string;
  refColumn: string;
}

/** Every application table of the database (not the migration bookkeeping). */
export async function listTables(db: Db): Promise<string[]> {
  const rows = isPostgres(db)
    ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)).rows
    : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows;
  return rows.map((r) => r.name).filter((n) => !n.startsWith('kysely_')).sort();
}

/** Columns of one table of the current schema (Kysely's introspector reads every schema, which races with other test files dropping theirs). */
export async function listColumns(db: Db, table: string): Promise<string[]> {
  const rows = isPostgres(db)
    ? (await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)).rows
    : (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows;
  return rows.map((r) => r.name);
}

/** Every foreign key, read from the database itself (PRAGMA / information_schema), not from our code. */
export async function listForeignKeys(db: Db): Promise<ForeignKey[]> {
  if (isPostgres(db)) {
    const r = await sql<ForeignKey>`
      select kcu.table_name as "table", kcu.column_name as "column", ccu.table_name as "refTable", ccu.column_name as "refColumn"
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(db);
    return r.rows;
  }
  const out: ForeignKey[] = [];
  for (const table of await listTables(db)) {
    const r = await sql<{ from: string; table: string; to: string }>`select * from pragma_foreign_key_list(${table})`.execute(db);
    for (const fk of r.rows) out.push({ table, column: fk.from, refTable: fk.table, refColumn: fk.to ?? 'id' });
  }
  return out;
}

/**
 * The rows that belong to some accounts (and users), found by following every foreign key
 * from them until nothing new turns up: `ids` per table with an id column, and per
 * (table, column) the referenced ids, so rows of id-less tables can be counted too.
 */
export async function ownedRows(db: Db, seeds: { accounts: number[]; users?: number[] }) {
  const fks = await listForeignKeys(db);
  const ids = new Map<string, Set<number>>([
    ['accounts', new Set(seeds.accounts)],
    ['users', new Set(seeds.users ?? [])],
  ]);
  const hasId = new Map<string, boolean>();
  for (const t of await listTables(db)) hasId.set(t, (await listColumns(db, t)).includes('id'));
  for (let changed = true; changed; ) {
    changed = false;
    for (const fk of fks) {
      const parent = [...(ids.get(fk.refTable) ?? [])];
      if (!parent.length || !hasId.get(fk.table) || fk.refColumn !== 'id') continue;
      const rows = await sql<{ id: number }>`select id from ${sql.table(fk.table)} where ${sql.ref(fk.column)} in (${sql.join(parent)})`.execute(db);
      const set = ids.get(fk.table) ?? new Set<number>();
      for (const r of rows.rows) if (!set.has(Number(r.id))) (set.add(Number(r.id)), (changed = true));
      ids.set(fk.table, set);
    }
  }
  return { ids, fks };
}

/**
 * How many rows of each table still point at the given owned rows: by their own id, or by
 * any foreign key column that references an owned row.
 */
export async function countReferences(db: Db, owned: Awaited<ReturnType<typeof ownedRows>>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await listTables(db)) {
    let n = 0;
    const own = [...(owned.ids.get(table) ?? [])];
    if (own.length) n += Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where id in (${sql.join(own)})`.execute(db)).rows[0]!.n);
    for (const fk of owned.fks.filter((f) => f.table === table)) {
      const parent = [...(owned.ids.get(fk.refTable) ?? [])];
      if (!parent.length || fk.refColumn !== 'id') continue;
      n += Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(fk.column)} in (${sql.join(parent)})`.execute(db)).rows[0]!.n);
    }
    counts[table] = n;
  }
  return counts;
}
