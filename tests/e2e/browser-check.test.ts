import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserProbe } from '../../src/domain/checks/probes/browser.ts';
import { createMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { BrowserPool } from '../../src/lib/browser-pool.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { buildApp, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { executablePath } from '../helpers/browser.ts';
import { SELF_HOSTED, OPEN_GUARD, BLOCK_ALL, TEST_CHECKS, TEST_EVENTS } from '../helpers/fixtures.ts';
import { startTarget, type Target } from '../helpers/target.ts';


describe.skipIf(!executablePath)('browser journey checks (headless chromium)', () => {
  let target: Target;
  let pool: BrowserPool;
  let t: TestDb;
  beforeAll(async () => {
    target = await startTarget();
    pool = new BrowserPool(executablePath!, 2);
    t = await openTestDb('sqlite');
  });
  afterAll(async () => {
    await pool.close();
    await target.close();
    await t.close();
  });

  it('passes a journey that fills a form, clicks and finds the result', async () => {
    const steps = `goto ${target.url}/app\nfill #name = Ada\nclick text=Continue\nexpect text Hello Ada\nexpect url /app/done`;
    const r = await browserProbe({ steps, timeoutMs: 20_000 }, { guard: OPEN_GUARD, browsers: pool });
    expect(r).toMatchObject({ ok: true, error: null });
  });

  it('names the failing step and keeps a screenshot; the monitor page serves it', async () => {
    const built = buildApp(t.db, { BROWSER_CHECKS: '1' });
    const owner = await persona(built.app, 'owner');
    const account = await t.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED, browserChecks: true }, account.id, {
      type: 'browser', name: 'Checkout journey', interval_seconds: 300, timeout_seconds: 10, retries: 0,
      steps: `goto ${target.url}/app\nexpect text Welcome back`,
    });
    const outcome = await runCheck({ db: t.db, clock: systemClock, logger: silentLogger, probe: { guard: OPEN_GUARD, browsers: pool }, ...TEST_CHECKS }, m.id);
    expect(outcome).toMatchObject({ kind: 'recorded', consecutiveFailures: 1 });
    const row = await t.db.selectFrom('monitors').select('last_error').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row.last_error).toBe('Step "expect text "Welcome back"" failed: timed out');
    const page = await (await owner.get(`/monitors/${m.id}`)).text();
    expect(page).toContain('data-testid="screenshot"');
    const png = await owner.get(`/monitors/${m.id}/screenshot.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await png.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('refuses private pages when the guard is on', async () => {
    const guarded = new BrowserPool(executablePath!, 1, BLOCK_ALL);
    const r = await browserProbe({ steps: `goto ${target.url}/app\nexpect text Name`, timeoutMs: 3000 }, { guard: BLOCK_ALL, browsers: guarded });
    await guarded.close();
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^Step "expect text "Name"" failed/);
  });
});
