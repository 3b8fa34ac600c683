// Status-page benchmarks: a page of 100 components with 90 days of history served over HTTP
// (size, cache-miss render time, req/s and latency with gzip), and the uncached JSON of a
// 2,000-monitor page.
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config.ts';
import type { Db } from '../src/db/create-db.ts';
import { getPublicStatus } from '../src/domain/statuspages/statuspages.service.ts';
import { statusJsonText } from '../src/web/status-json.ts';
import { systemClock } from '../src/lib/clock.ts';
import { SettledHistoryCache } from '../src/domain/checks/uptime.service.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { policyFrom, webDeps } from '../src/runtime/context.ts';
import { createApp } from '../src/web/app.ts';
import { account, child, insertHistory, insertMonitors, log, pct } from './fixtures.ts';

type Row = [string, string, string];

async function load(url: string, headers: Record<string, string>) {
  const p = child('load.ts', [url, '50', '10', JSON.stringify(headers)]);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  await new Promise((r) => p.once('exit', r));
  return JSON.parse(out) as { rps: number; p50: number; p99: number; errors: number };
}

export async function statusPageBench(db: Db, dbUrl: string, targetUrl: string): Promise<Row[]> {
  const rows: Row[] = [];
  log('status page: 100 components, 90 days');
  const acct = await account(db, 'Bench Page');
  await insertHistory(db, await insertMonitors(db, acct.id, 100, targetUrl, 60, Date.now()));
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: dbUrl, ALLOW_SIGNUP: '1', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-bench' });
  let skew = 0;
  const clock = { now: () => Date.now() + skew };
  const rt = { config, db, clock, logger: silentLogger, policy: policyFrom(config) };
  const app = createApp(await webDeps(rt));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s/${acct.slug}`;

  // Size as served, plain and gzip.
  const html = await (await fetch(base)).text();
  rows.push(['Status page size (100 components, 90 d)', `${(Buffer.byteLength(html) / 1024).toFixed(0)} KB HTML, ${(gzipSync(html).length / 1024).toFixed(0)} KB gzip`, '< 150 KB HTML']);

  // Cache miss: the page rebuilt from the database to compressed bytes, as after each expiry
  // (the clock is moved past the cache lifetime before every request).
  const misses: number[] = [];
  for (let i = 0; i < 40; i++) {
    skew += 11_000;
    const t0 = performance.now();
    const res = await app.request(`/s/${acct.slug}`, { headers: { 'accept-encoding': 'gzip' } });
    await res.arrayBuffer();
    misses.push(performance.now() - t0);
  }
  rows.push(['Status page cache miss (100 components, 90 d; median / p90)', `${pct(misses.slice(10), 50).toFixed(1)} ms / ${pct(misses.slice(10), 90).toFixed(1)} ms`, '< 5 ms']);

  for (const [label, suffix] of [['Status page HTML, gzip (100 components)', ''], ['Status page JSON, gzip (100 components)', '/api']] as const) {
    const l = await load(base + suffix, { 'accept-encoding': 'gzip' });
    rows.push([label, `${l.rps.toFixed(0)} req/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms${l.errors ? `, ${l.errors} errors` : ''}`, '≥ 20,000 req/s, p99 < 10 ms']);
  }
  await new Promise((r) => server.close(r));

  log('2,000-monitor status JSON');
  const big = await account(db, 'Bench Big');
  await insertHistory(db, await insertMonitors(db, big.id, 2000, targetUrl, 60, Date.now()));
  // The first build reads 90 days of rollups per monitor; later builds read the settled days
  // from memory (SettledHistoryCache, as the web process does) and only today and yesterday from SQLite.
  const history = new SettledHistoryCache();
  const build = async () => {
    const s0 = performance.now();
    statusJsonText(await getPublicStatus({ db, clock: systemClock, history }, big.slug), []);
    return performance.now() - s0;
  };
  const cold = await build();
  const times: number[] = [];
  for (let i = 0; i < 12; i++) times.push(await build());
  rows.push(['Status JSON, 2,000 monitors, page cache miss (median; first build)', `${pct(times.slice(2), 50).toFixed(1)} ms (${cold.toFixed(0)} ms)`, '< 50 ms']);
  return rows;
}
