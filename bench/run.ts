// Benchmark: sustained checks/s, schedule lag, CPU, RSS, bytes per stored check, restart
// catch-up, and status-page throughput/latency. Not part of the tests. See README.
//   BENCH_MONITORS (10000)  BENCH_INTERVAL (30)  BENCH_SECONDS (60)
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { HISTOGRAM_SIZE, type HistogramColumns } from '../src/db/schema.ts';
import { LoginLimits, signUp } from '../src/domain/accounts/accounts.service.ts';
import { bucketStart } from '../src/domain/checks/rollups.ts';
import { getPublicStatus, toPublicJson } from '../src/domain/statuspages/statuspages.service.ts';
import { DAY, HOUR, systemClock } from '../src/lib/clock.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { policyFrom, webDeps } from '../src/runtime/context.ts';
import { createApp } from '../src/web/app.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_MONITORS ?? 10_000);
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const log = (...a: unknown[]) => console.error('[bench]', ...a);
// Everything measured in the worker process is reported in README; this process only sets up and serves pages.

// Compiled (npm run bench) the helpers are .js run by plain node, as in production.
const compiled = import.meta.url.endsWith('.js');
function child(script: string, args: string[] = []): ChildProcess {
  const file = path.join(here, compiled ? script.replace(/\.ts$/, '.js') : script);
  return fork(file, args, { execArgv: compiled ? [] : ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Bytes of B-tree pages and row counts per table, from SQLite's dbstat. */
async function tableBytes(db: Db): Promise<Record<string, { bytes: number; rows: number }>> {
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

async function account(db: Db, org: string) {
  return (await signUp({ db, clock: systemClock, loginLimits: new LoginLimits(systemClock), signupsOpen: true }, { email: `${org.toLowerCase().replace(/\W/g, '')}@bench.local`, password: 'benchmark-password', organization: org }, 'bench', null)).account;
}

async function insertMonitors(db: Db, accountId: number, count: number, url: string, interval: number, lastCheckedAt: number | null) {
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
  return ids;
}

/** 90 days of daily rollups and 24 hourly ones per monitor, as a long-running install would have. */
async function insertHistory(db: Db, ids: number[]) {
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

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'statusping-bench-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  const db = createDb(url);
  await migrate(db);
  const target = child('target.ts');
  const port: number = await new Promise((r) => target.once('message', (m: { port: number }) => r(m.port)));
  const targetUrl = `http://127.0.0.1:${port}/`;
  const results: Array<[string, string, string]> = [];

  // 1. Steady state: N monitors at INTERVAL seconds.
  log(`creating ${N} monitors at ${INTERVAL}s`);
  const acct = await account(db, 'Bench Checks');
  await insertMonitors(db, acct.id, N, targetUrl, INTERVAL, Date.now());
  const proc = child('worker-proc.ts', [url, String(N), String(INTERVAL), String(SECONDS)]);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  log(`worker process: warm-up ${INTERVAL + 5}s, measure ${SECONDS}s, then a restart`);
  await new Promise((r) => proc.once('exit', r));
  const w = JSON.parse(out) as {
    checks: number; elapsed: number; cpuSeconds: number; rssIdle: number; rssMax: number;
    lagP50: number; lagP99: number; restartSeconds: number; restartSeen: number;
  };
  const rows = Number((await db.selectFrom('check_results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const storage = await tableBytes(db);
  // Raw rows cost their B-tree pages; rollups cost 24 hourly + 1 daily rows per monitor per
  // day whatever the interval, spread over that day's checks.
  const rawPerCheck = storage.check_results!.bytes / rows;
  const rollupRowBytes = (t: string) => storage[t]!.bytes / Math.max(1, storage[t]!.rows);
  const rollupPerCheck = (24 * rollupRowBytes('rollups_hourly') + rollupRowBytes('rollups_daily')) / (86400 / INTERVAL);
  const expected = N / INTERVAL;
  const achieved = w.checks / w.elapsed;
  const cores = w.cpuSeconds / w.elapsed;
  results.push(['Monitors × interval', `${N} × ${INTERVAL} s`, '10,000 × 30 s']);
  results.push(['Checks/s expected → achieved', `${expected.toFixed(1)} → ${achieved.toFixed(1)}`, 'achieved = expected']);
  results.push(['Schedule lag p50 / p99', `${w.lagP50.toFixed(0)} ms / ${w.lagP99.toFixed(0)} ms`, 'p99 < 1 s']);
  results.push(['CPU of the worker process', `${(cores * 100).toFixed(1)} % of one core`, '']);
  results.push(['CPU per 100 checks/s', `${((cores / achieved) * 100).toFixed(3)} cores`, '< 0.1 core']);
  results.push(['RSS of the worker process (max; at start)', `${(w.rssMax / 1e6).toFixed(0)} MB (${(w.rssIdle / 1e6).toFixed(0)} MB)`, '< 300 MB']);
  results.push([
    'Stored bytes per check',
    `${(rawPerCheck + rollupPerCheck).toFixed(1)} B = ${rawPerCheck.toFixed(1)} B raw result + ${rollupPerCheck.toFixed(1)} B of rollups`,
    '≤ 40 B',
  ]);
  results.push([
    'Restart → every monitor checked once',
    w.restartSeconds ? `${w.restartSeconds.toFixed(1)} s` : `> ${INTERVAL * 4} s (${w.restartSeen}/${N})`,
    `≤ one interval (${INTERVAL} s)`,
  ]);

  // 3. Status page of 50 monitors with 90 days of history, served over HTTP.
  log('status page load test');
  const pageAcct = await account(db, 'Bench Page');
  await insertHistory(db, await insertMonitors(db, pageAcct.id, 50, targetUrl, 60, Date.now()));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, ALLOW_SIGNUP: '1', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-bench' });
  const rt = { config, db, clock: systemClock, logger: silentLogger, policy: policyFrom(config) };
  const server = serve({ fetch: createApp(await webDeps(rt)).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const webPort = (server.address() as AddressInfo).port;
  for (const [label, suffix] of [['Status page HTML (50 monitors, 90 d)', ''], ['Status page JSON (50 monitors, 90 d)', '/api']] as const) {
    const load = child('load.ts', [`http://127.0.0.1:${webPort}/s/${pageAcct.slug}${suffix}`, '50', '10']);
    let out = '';
    load.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => load.once('exit', r));
    const l = JSON.parse(out) as { rps: number; p50: number; p99: number; errors: number };
    results.push([label, `${l.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms${l.errors ? `, ${l.errors} errors` : ''}`, '> 1,000 req/s']);
  }
  await new Promise((r) => server.close(r));

  // 4. Uncached status JSON for a page of 2,000 monitors with 90 days of history.
  log('2,000-monitor status JSON');
  const bigAcct = await account(db, 'Bench Big');
  await insertHistory(db, await insertMonitors(db, bigAcct.id, 2000, targetUrl, 60, Date.now()));
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const s0 = performance.now();
    JSON.stringify(toPublicJson(await getPublicStatus({ db, clock: systemClock }, bigAcct.slug)));
    times.push(performance.now() - s0);
  }
  results.push(['Status JSON, 2,000 monitors, uncached (median)', `${pct(times.slice(2), 50).toFixed(1)} ms`, '< 50 ms']);

  target.kill();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });

  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on a 2-core machine (Node ${process.version}, SQLite; checks against a local target in its own process).`,
    '',
    '| Metric | Result | Target |',
    '|---|---|---|',
    ...results.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
  ].join('\n');
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'latest.md'), table + '\n');
  console.log(table);
}

await main();
process.exit(0);
