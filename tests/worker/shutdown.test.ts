import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/create-db.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { makeAccount, makeMonitor } from '../helpers/fixtures.ts';
import { startTarget, type Target } from '../helpers/target.ts';

describe('npm start process', () => {
  let t: TestDb;
  let target: Target;
  beforeAll(async () => {
    t = await openTestDb('sqlite');
    target = await startTarget();
  });
  afterAll(async () => {
    await target.close();
    await t.close();
  });

  it('serves, checks, and on SIGTERM finishes the in-flight check before exiting 0', async () => {
    const { account } = await makeAccount(t.db);
    const m = await makeMonitor(t.db, account.id, { url: `${target.url}/slow?ms=1500`, interval_seconds: 3600 });
    await t.db.destroy(); // the server process owns the file from here

    // Vitest puts Vite's BASE_URL ("/") into process.env; the server must not inherit it.
    const { BASE_URL: _vite, ...env } = process.env;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/bin/start.ts'], {
      env: { ...env, DATABASE_URL: t.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

    const until = Date.now() + 15_000;
    while (!out.includes('"port"') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const port = Number(/"port":(\d+)/.exec(out)?.[1]);
    expect(port, out).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });

    // The overdue monitor is checked at start; stop while its slow request is in flight.
    while (target.concurrent === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(target.concurrent).toBe(1);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('shutting down');

    const db = createDb(t.url);
    const rows = await db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).execute();
    const mon = await db.selectFrom('monitors').select(['status', 'last_checked_at']).where('id', '=', m.id).executeTakeFirstOrThrow();
    await db.destroy();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ok).toBe(1);
    expect(mon.status).toBe('up');
    expect(mon.last_checked_at).toBe(rows[0]!.checked_at);
    t.db = createDb(t.url); // so close() has an open handle to destroy
  }, 30_000);
});
