import { execFileSync } from 'node:child_process';
import { dropSchemas, schemaPrefix } from './db.ts';
import { chromiumPath, SERVICES } from './env.ts';

/**
 * Says out loud which optional parts run, and fails when CI requires a part that cannot
 * run (REQUIRE_POSTGRES=1, REQUIRE_BROWSER=1), so nothing is skipped silently.
 */
export default function setup(): () => Promise<void> {
  // Names this run's PostgreSQL test schemas, so the teardown drops exactly those. Every
  // project (unit, integration, e2e) runs this set-up and its teardown, so the name is made
  // once and the schemas go only when the last project is done.
  process.env.STATUSPING_TEST_RUN ??= `${process.pid.toString(36)}${Date.now().toString(36)}`;
  process.env.STATUSPING_TEST_PROJECTS = String(Number(process.env.STATUSPING_TEST_PROJECTS ?? 0) + 1);
  const notes: string[] = [];
  if (process.env.TEST_DB === 'postgres' || process.env.REQUIRE_POSTGRES === '1') {
    if (!process.env.TEST_DATABASE_URL) throw new Error('PostgreSQL tests are required but TEST_DATABASE_URL is not set');
  }
  if (!process.env.TEST_DATABASE_URL) {
    notes.push('PostgreSQL: not tested (set TEST_DATABASE_URL=postgres://… to run every database test against PostgreSQL too)');
  }
  if (!chromiumPath()) {
    if (process.env.REQUIRE_BROWSER === '1') throw new Error('Browser tests are required but no chromium was found (apt-get install chromium)');
    notes.push('Browser: end-to-end tests not run (install Debian chromium or set CHROMIUM_PATH)');
  }
  try {
    execFileSync('ping', ['-c', '1', '-W', '1', '-n', '127.0.0.1'], { stdio: 'ignore' });
  } catch {
    if (process.env.REQUIRE_PING === '1') throw new Error('Ping tests are required but the ping program does not work (apt-get install iputils-ping)');
    notes.push('Ping: ICMP tests not run (install iputils-ping)');
  }
  const missing = Object.entries(SERVICES).filter(([, v]) => !process.env[v]);
  if (missing.length && process.env.REQUIRE_SERVICES === '1') throw new Error(`Service tests are required but ${missing.map(([, v]) => v).join(', ')} not set`);
  if (missing.length) notes.push(`Services: ${missing.map(([k]) => k).join(', ')} checks not tested against real servers (set ${missing.map(([, v]) => v).join(', ')})`);
  for (const n of notes) console.warn(`\n[statusping tests] NOTE ${n}`);
  return async () => {
    const left = Number(process.env.STATUSPING_TEST_PROJECTS ?? 1) - 1;
    process.env.STATUSPING_TEST_PROJECTS = String(left);
    if (left === 0 && process.env.TEST_DATABASE_URL) await dropSchemas(process.env.TEST_DATABASE_URL, schemaPrefix());
  };
}
