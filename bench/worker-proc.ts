import { OPEN_GUARD } from '../src/lib/net-guard.ts';
// The check worker under measurement, in its own process so its CPU and RSS are its own.
// argv: databaseUrl monitors interval seconds. Prints one JSON line of measurements.
import { createDb } from '../src/db/create-db.ts';
import { HOUR, systemClock } from '../src/lib/clock.ts';
import { silentLogger } from '../src/lib/logger.ts';
import { domainEvents } from '../src/runtime/events.ts';
import { runCheck } from '../src/worker/run-check.ts';
import { Scheduler } from '../src/worker/scheduler.ts';

const [url, n, interval, seconds] = process.argv.slice(2);
const N = Number(n);
const INTERVAL = Number(interval);
const db = createDb(url!);
const deps = { db, clock: systemClock, logger: silentLogger, probe: { guard: OPEN_GUARD }, alerts: { baseUrl: 'http://bench.local', policy: { selfHosted: true, minIntervalSeconds: 1, retentionDays: 90 } }, events: domainEvents({ baseUrl: 'http://bench.local' }) };
const make = () => new Scheduler({ db, clock: systemClock, logger: silentLogger, concurrency: 500, check: (id) => runCheck(deps, id) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssIdle = process.memoryUsage().rss;
const lags: number[] = [];
let checks = 0;
let measuring = false;
const scheduler = make();
scheduler.onCheck = (_id, scheduledFor, startedAt) => {
  if (!measuring) return;
  checks++;
  if (scheduledFor !== null) lags.push(startedAt - scheduledFor);
};
await scheduler.start();
await sleep((INTERVAL + 5) * 1000);
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let rssMax = 0;
// The smallest heap in use seen approximates the live heap (what survives a full collection).
let heapLiveMin = Infinity;
let heapTotalMax = 0;
const rssTimer = setInterval(() => {
  const m = process.memoryUsage();
  rssMax = Math.max(rssMax, m.rss);
  heapLiveMin = Math.min(heapLiveMin, m.heapUsed);
  heapTotalMax = Math.max(heapTotalMax, m.heapTotal);
}, 500);
await sleep(Number(seconds) * 1000);
measuring = false;
clearInterval(rssTimer);
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await scheduler.stop(10_000);

// Restart: every monitor overdue; time until each has been checked once.
await db.updateTable('monitors').set({ last_checked_at: Date.now() - HOUR }).execute();
const seen = new Set<number>();
const restarted = make();
const r0 = performance.now();
let restartSeconds = 0;
const done = new Promise<void>((resolve) => {
  restarted.onCheck = (id) => {
    seen.add(id);
    if (seen.size === N && !restartSeconds) {
      restartSeconds = (performance.now() - r0) / 1000;
      resolve();
    }
  };
});
await restarted.start();
await Promise.race([done, sleep(INTERVAL * 4000)]);
await restarted.stop(10_000);
await db.destroy();

lags.sort((a, b) => a - b);
const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] ?? 0;
process.stdout.write(
  JSON.stringify({
    checks,
    elapsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssIdle,
    rssMax,
    heapLiveMin,
    heapTotalMax,
    lagP50: q(50),
    lagP99: q(99),
    restartSeconds,
    restartSeen: seen.size,
  }) + '\n',
);
process.exit(0);
