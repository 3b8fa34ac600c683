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
import { runCheck } from '../src/worker/run-check.ts';
import { Scheduler } from '../src/worker/scheduler.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_MONITORS ?? 10_000);
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const log = (...a: unknown[]) => console.error('[bench]', ...a);

function child(script: string, args: string[] = []): ChildProcess {
  return fork(path.join(here, script), args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function dbBytes(db: Db): Promise<number> {
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count;
  const free = (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows[0]!.freelist_count;
  const size = (await sql<{ page_size: number }>`pragma page_size`.execute(db)).rows[0]!.page_size;
  return (pages - free) * size;
}

async function account(db: Db, org: string) {
  return (await signUp({ db, clock: systemClock, loginLimits: new LoginLimits(systemClock) }, { email: `${org.toLowerCase().replace(/\W/g, '')}@bench.local`, password: 'benchmark-password', organization: org }, null)).account;
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
  const baseline = await dbBytes(db);
  const lags: number[] = [];
  let checks = 0;
  let measuring = false;
  const checkDeps = { db, clock: systemClock, logger: silentLogger, probe: { blockPrivate: false } };
  const make = () => {
    const s = new Scheduler({ db, clock: systemClock, logger: silentLogger, concurrency: 500, check: (id) => runCheck(checkDeps, id) });
    return s;
  };
  const scheduler = make();
  scheduler.onCheck = (_id, scheduledFor, startedAt) => {
    if (!measuring) return;
    checks++;
    if (scheduledFor !== null) lags.push(startedAt - scheduledFor);
  };
  await scheduler.start();
  log(`warming up for ${INTERVAL + 5}s`);
  await new Promise((r) => setTimeout(r, (INTERVAL + 5) * 1000));
  log(`measuring for ${SECONDS}s`);
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rssMax = 0;
  const rssTimer = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 1000);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  clearInterval(rssTimer);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuCores = (cpu.user + cpu.system) / 1e6 / elapsed;
  await scheduler.stop(10_000);
  const rows = Number((await db.selectFrom('check_results').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const bytesPerCheck = (await dbBytes(db)) - baseline;
  const expected = N / INTERVAL;
  const achieved = checks / elapsed;
  results.push(['Monitors × interval', `${N} × ${INTERVAL} s`, '10,000 × 30 s']);
  results.push(['Checks/s expected → achieved', `${expected.toFixed(1)} → ${achieved.toFixed(1)}`, 'achieved = expected']);
  results.push(['Schedule lag p50 / p99', `${pct(lags, 50).toFixed(0)} ms / ${pct(lags, 99).toFixed(0)} ms`, 'p99 < 1 s']);
  results.push(['CPU (worker process)', `${(cpuCores * 100).toFixed(1)} % of one core`, '']);
  results.push(['CPU per 100 checks/s', `${((cpuCores / achieved) * 100).toFixed(3)} cores`, '< 0.1 core']);
  results.push(['RSS (max)', `${(rssMax / 1e6).toFixed(0)} MB`, '< 300 MB']);
  results.push(['Stored bytes per check (results + rollups)', `${(bytesPerCheck / rows).toFixed(1)} B (${rows} checks)`, '≤ 40 B']);

  // 2. Restart: every monitor overdue; how long until each has been checked once?
  await db.updateTable('monitors').set({ last_checked_at: Date.now() - HOUR }).execute();
  const seen = new Set<number>();
  const restarted = make();
  const r0 = performance.now();
  let allChecked = 0;
  const done = new Promise<void>((resolve) => {
    restarted.onCheck = (id) => {
      seen.add(id);
      if (seen.size === N && !allChecked) {
        allChecked = (performance.now() - r0) / 1000;
        resolve();
      }
    };
  });
  measuring = false;
  await restarted.start();
  await Promise.race([done, new Promise((r) => setTimeout(r, INTERVAL * 4000))]);
  await restarted.stop(10_000);
  results.push(['Restart → every monitor checked once', allChecked ? `${allChecked.toFixed(1)} s` : `> ${INTERVAL * 4} s (${seen.size}/${N})`, `≤ one interval (${INTERVAL} s)`]);

  // 3. Status page of 50 monitors with 90 days of history, served over HTTP.
  log('status page load test');
  const pageAcct = await account(db, 'Bench Page');
  await insertHistory(db, await insertMonitors(db, pageAcct.id, 50, targetUrl, 60, Date.now()));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: url, SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-bench' });
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
    `Measured ${new Date().toISOString().slice(0, 10)} on this machine (Node ${process.version}, SQLite, web and worker in one process).`,
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
