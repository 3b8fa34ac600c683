// Benchmark: sustained checks/s, schedule lag, CPU, RSS, bytes per stored check, restart
// catch-up, and status-page throughput/latency. Not part of the tests. See README.
//   BENCH_MONITORS (10000)  BENCH_INTERVAL (30)  BENCH_SECONDS (60)
//   BENCH_PART: checks | pages (default: both)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '../src/db/create-db.ts';
import { migrate } from '../src/db/migrate.ts';
import { account, child, insertMonitors, log, tableBytes } from './fixtures.ts';
import { statusPageBench } from './status-page.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_MONITORS ?? 10_000);
const INTERVAL = Number(process.env.BENCH_INTERVAL ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PART = process.env.BENCH_PART ?? 'all';
// Everything measured in the worker process is reported in README; this process only sets up and serves pages.

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
  if (PART !== 'pages') {
    log(`creating ${N} monitors at ${INTERVAL}s`);
    const acct = await account(db, 'Bench Checks');
    await insertMonitors(db, acct.id, N, targetUrl, INTERVAL, Date.now());
    const proc = child('worker-proc.ts', [url, String(N), String(INTERVAL), String(SECONDS)]);
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    log(`worker process: warm-up ${INTERVAL + 5}s, measure ${SECONDS}s, then a restart`);
    await new Promise((r) => proc.once('exit', r));
    const w = JSON.parse(out) as {
      checks: number; elapsed: number; cpuSeconds: number; rssIdle: number; rssMax: number; heapLiveMin: number; heapTotalMax: number;
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
    results.push(['Worker heap: live (least in use) / largest reserved', `${(w.heapLiveMin / 1e6).toFixed(0)} MB / ${(w.heapTotalMax / 1e6).toFixed(0)} MB`, '']);
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

  }
  if (PART !== 'checks') results.push(...(await statusPageBench(db, url, targetUrl)));

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
