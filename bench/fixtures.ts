// Shared set-up for the benchmarks: child processes, accounts, monitors with 90 days of history.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../src/db/create-db.ts';
import { HISTOGRAM_SIZE, type HistogramColumns } from '../src/db/schema.ts';
import { LoginLimits, signUp } from '../src/domain/accounts/accounts.service.ts';
import { bucketStart } from '../src/domain/checks/rollups.ts';
import { DAY, HOUR, systemClock } from '../src/lib/clock.ts';
import { memoryRateLimits } from '../src/lib/rate-limit.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const log = (...a: unknown[]) => console.error('[bench]', ...a);

// Compiled (npm run bench) the helpers are .js run by plain node, as in production.
export const compiled = import.meta.url.endsWith('.js');
export function child(script: string, args: string[] = []): ChildProcess {
  const file = path.join(here, compiled ? script.replace(/\.ts$/, '.js') : script);
  return fork(file, args, { execArgv: compiled ? [] : ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

export const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Bytes of B-tree pages and row counts per table, from SQLite's dbstat. */
export async function tableBytes(db: Db): Promise<Record<string, { bytes: number; rows: number }>> {
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  const r = await sql<{ name: string; bytes: number }>`select name, sum(pgsize) as bytes from dbstat group by name`.execute(db);
  const out: Record<string, { bytes: number; rows: number }> = {};
  for (const { name, bytes } of r.rows) {
    const rows = ['check_results', 'rollups_hourly', 'rollups_daily'].includes(name)
      ? Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(db)).rows[0]!.n)
      : 0;
    out[name] = { bytes, rows };
  }
  return out;
}

export async function account(db: Db, org: string) {
  return (await signUp({ db, clock: systemClock, loginLimits: new LoginLimits(memoryRateLimits(systemClock)), signupsOpen: true }, { email: `${org.toLowerCase().replace(/\W/g, '')}@bench.local`, password: 'benchmark-password', organization: org }, 'bench', null)).account;
}

export async function insertMonitors(db: Db, accountId: number, count: number, url: string, interval: number, lastCheckedAt: number | null) {
  const now = Date.now();
  const ids: number[] = [];
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      account_id: accountId,
      name: `Monitor ${i + j + 1}`,
      url,
      method: 'GET',
      expected_status: '200-399',
      keyword: null,
      timeout_ms: 10_000,
      interval_s: interval,
      is_public: 1,
      failure_threshold: 3,
      is_paused: 0,
      status: 'up',
      consecutive_failures: 0,
      last_checked_at: lastCheckedAt,
      created_at: now,
      updated_at: now,
    }));
    const r = await db.insertInto('monitors').values(rows).returning('id').execute();
    ids.push(...r.map((x) => x.id));
  }
  // Public monitors are components of the account's first status page, in creation order.
  const page = await db.selectFrom('status_pages').select('id').where('account_id', '=', accountId).orderBy('id').executeTakeFirstOrThrow();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = ids.slice(i, i + 500).map((id, j) => ({ page_id: page.id, monitor_id: id, position: i + j, created_at: now }));
    await db.insertInto('page_components').values(rows).execute();
  }
  return ids;
}

/** 90 days of daily rollups and 24 hourly ones per monitor, as a long-running install would have. */
export async function insertHistory(db: Db, ids: number[]) {
  const now = Date.now();
  const zeros = Object.fromEntries(Array.from({ length: HISTOGRAM_SIZE }, (_, i) => [`h${i}`, 0])) as HistogramColumns;
  const row = (id: number, bucket: number, checks: number, i: number) => ({
    monitor_id: id, bucket_start: bucket, checks, failures: (id + i) % 17 === 0 ? 3 : 0,
    rt_count: checks, rt_sum: checks * 80, rt_min: 40, rt_max: 300, ...zeros, h4: checks,
  });
  for (let k = 0; k < ids.length; k += 50) {
    const chunk = ids.slice(k, k + 50);
    await db.transaction().execute(async (trx) => {
      const daily = chunk.flatMap((id) => Array.from({ length: 90 }, (_, i) => row(id, bucketStart(now, 'day') - i * DAY, 2880, i)));
      for (let j = 0; j < daily.length; j += 200) await trx.insertInto('rollups_daily').values(daily.slice(j, j + 200)).execute();
      const hourly = chunk.flatMap((id) => Array.from({ length: 24 }, (_, i) => row(id, bucketStart(now, 'hour') - i * HOUR, 120, i)));
      for (let j = 0; j < hourly.length; j += 200) await trx.insertInto('rollups_hourly').values(hourly.slice(j, j + 200)).execute();
    });
  }
}

