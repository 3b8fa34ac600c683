import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getMonitor, listMonitors, patchMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, OPEN_GUARD, SELF_HOSTED, TEST_ALERTS, TEST_EVENTS } from '../helpers/fixtures.ts';
import { startTarget, type Target } from '../helpers/target.ts';

// Rows written before settings were typed hold every value as a string and, for HTTP, only
// the settings that differed from their defaults (url, method, status and keyword lived in
// their columns). They must load, check and edit as if saved today.

let target: Target;
beforeAll(async () => (target = await startTarget()));
afterAll(() => target.close());

describe.each(testDbKinds())('monitors stored before settings were typed, on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => (t = await openTestDb(kind)));
  afterEach(() => t.close());
  const deps = () => ({ db: t.db, clock: new ManualClock(), policy: SELF_HOSTED, events: TEST_EVENTS });

  /** A monitor as an older version stored it: these columns and this settings JSON. */
  async function oldRow(accountId: number, type: string, url: string, settings: Record<string, string>, cols: { method?: string; expected_status?: string; keyword?: string | null } = {}) {
    const m = await makeMonitor(t.db, accountId);
    await t.db.updateTable('monitors').set({ type, url, settings: JSON.stringify(settings), method: 'GET', expected_status: '200-399', keyword: null, ...cols }).where('id', '=', m.id).execute();
    return m.id;
  }

  it('load with typed settings and their defaults', async () => {
    const { account } = await makeAccount(t.db);
    const http = await oldRow(account.id, 'http', `${target.url}/ok`, { auth_type: 'basic', auth_user: 'bob', auth_pass: 'pw', follow_redirects: 'false', max_redirects: '3' }, { method: 'POST', expected_status: '200-299', keyword: 'ok' });
    const tcp = await oldRow(account.id, 'tcp', 'tcp://db.example.com:5432', { host: 'db.example.com', port: '5432' });
    const tls = await oldRow(account.id, 'tls', 'tls://example.com:8443', { host: 'example.com', port: '8443', warn_days: '7,30' });
    const dns = await oldRow(account.id, 'dns', 'dns://example.com/MX', { host: 'example.com', record_type: 'MX', resolver: '', expected: '10 mx.example.com, 20 mx2.example.com' });
    const beat = await oldRow(account.id, 'heartbeat', 'heartbeat://push', { cron: '0 3 * * *', timezone: 'Europe/Paris', grace_seconds: '120' });
    const get = async (id: number) => (await getMonitor(deps(), account.id, id)).settings;
    expect(await get(http)).toMatchObject({ url: `${target.url}/ok`, method: 'POST', expected_status: '200-299', keyword: 'ok', auth_type: 'basic', auth_pass: 'pw', follow_redirects: false, max_redirects: 3, ignore_tls: false });
    expect(await get(tcp)).toEqual({ host: 'db.example.com', port: 5432 });
    expect(await get(tls)).toEqual({ host: 'example.com', port: 8443, warn_days: [30, 7] });
    expect(await get(dns)).toEqual({ host: 'example.com', record_type: 'MX', resolver: '', expected: ['10 mx.example.com', '20 mx2.example.com'] });
    expect(await get(beat)).toEqual({ cron: '0 3 * * *', timezone: 'Europe/Paris', grace_seconds: 120 });
    expect(await listMonitors(deps(), account.id)).toHaveLength(5);
  });

  it('are checked as before, and an edit stores them typed', async () => {
    const { account } = await makeAccount(t.db);
    const id = await oldRow(account.id, 'tcp', 'tcp://127.0.0.1:1', { host: '127.0.0.1', port: new URL(target.url).port });
    const run = { db: t.db, clock: systemClock, logger: silentLogger, probe: { guard: OPEN_GUARD }, alerts: TEST_ALERTS, events: TEST_EVENTS };
    expect(await runCheck(run, id)).toMatchObject({ status: 'up' });
    const http = await oldRow(account.id, 'http', `${target.url}/ok`, {}, { keyword: 'nowhere-in-the-body' });
    expect(await runCheck(run, http)).toMatchObject({ consecutiveFailures: 1 });
    await patchMonitor(deps(), account.id, id, { name: 'Renamed' });
    const row = await t.db.selectFrom('monitors').select(['settings', 'url', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Renamed', url: `tcp://127.0.0.1:${new URL(target.url).port}` });
    expect(JSON.parse(row.settings)).toEqual({ host: '127.0.0.1', port: Number(new URL(target.url).port) });
  });

  it('a row its type now refuses still loads, as stored', async () => {
    const { account } = await makeAccount(t.db);
    const id = await oldRow(account.id, 'tcp', 'tcp://x:99999', { host: 'x', port: '99999' });
    expect((await getMonitor(deps(), account.id, id)).settings).toEqual({ host: 'x', port: '99999' });
  });
});
