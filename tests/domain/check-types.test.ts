import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { dnsProbe } from '../../src/domain/checks/probes/dns.ts';
import { tcpProbe } from '../../src/domain/checks/probes/tcp.ts';
import { nextState } from '../../src/domain/checks/state-machine.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { createMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { getPublicStatus } from '../../src/domain/statuspages/statuspages.service.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { ValidationError } from '../../src/lib/errors.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SAAS, SELF_HOSTED, OPEN_GUARD, BLOCK_ALL, TEST_CHECKS, TEST_EVENTS } from '../helpers/fixtures.ts';
import { closedPort, startTarget, type Target } from '../helpers/target.ts';

let target: Target;
let dns: DnsServer;
beforeAll(async () => {
  target = await startTarget();
  dns = await startDnsServer({
    'example.test': { A: ['192.0.2.10', '192.0.2.11'], MX: [{ preference: 10, exchange: 'mail.example.test' }], TXT: [['v=spf1 -all']] },
    'alias.example.test': { CNAME: ['example.test'] },
  });
});
afterAll(async () => {
  await target.close();
  await dns.close();
});

const open = { guard: OPEN_GUARD };

describe('monitor types: validation', () => {
  it('TCP needs a host and a port in range; DNS a host and a known record type', () => {
    const tcp = parseMonitorInput({ type: 'tcp', name: 'DB', host: 'db.example.com', port: '5432', interval_seconds: '60' });
    expect(tcp).toMatchObject({ type: 'tcp', url: 'tcp://db.example.com:5432', settings: { host: 'db.example.com', port: 5432 }, retries: 1 });
    const err = (() => {
      try {
        parseMonitorInput({ type: 'tcp', name: '', host: 'bad host!', port: '70000', interval_seconds: '60' });
      } catch (e) {
        return e as ValidationError;
      }
    })()!;
    expect(err.fields).toMatchObject({ name: 'Give the monitor a name', port: 'Ports are 1–65535' });
    expect(err.fields.host).toMatch(/host name/);
    expect(() => parseMonitorInput({ type: 'dns', name: 'x', host: 'example.com', record_type: 'SOA', interval_seconds: '60' })).toThrow(/Choose A, AAAA/);
    expect(() => parseMonitorInput({ type: 'gopher', name: 'x', interval_seconds: '60' })).toThrow(/Choose a monitor type/);
  });

  it('a passing but slow check is degraded, never an incident', () => {
    expect(nextState({ status: 'up', consecutiveFailures: 0 }, true, 3, true)).toEqual({ state: { status: 'degraded', consecutiveFailures: 0 }, transition: 'none' });
    expect(nextState({ status: 'down', consecutiveFailures: 4 }, true, 3, true).transition).toBe('recovered');
  });
});

describe('TCP and DNS probes against local servers', () => {
  it('TCP: an open port is up with its connect time, a closed one is refused by name', async () => {
    const port = Number(new URL(target.url).port);
    const ok = await tcpProbe({ host: '127.0.0.1', port, timeoutMs: 2000 }, open);
    expect(ok).toMatchObject({ ok: true, error: null });
    const closed = await closedPort();
    const refused = await tcpProbe({ host: '127.0.0.1', port: closed, timeoutMs: 2000 }, open);
    expect(refused).toMatchObject({ ok: false, error: `Connection refused by 127.0.0.1:${closed}` });
    const blocked = await tcpProbe({ host: '127.0.0.1', port, timeoutMs: 2000 }, { guard: BLOCK_ALL });
    expect(blocked.error).toMatch(/^Blocked/);
  });

  it('DNS: resolves through the chosen resolver and compares expected values', async () => {
    const base = { resolver: dns.address, timeoutMs: 2000, expected: '' };
    expect(await dnsProbe({ ...base, host: 'example.test', recordType: 'A' }, open)).toMatchObject({ ok: true });
    expect(await dnsProbe({ ...base, host: 'example.test', recordType: 'A', expected: '192.0.2.11, 192.0.2.10' }, open)).toMatchObject({ ok: true });
    const mismatch = await dnsProbe({ ...base, host: 'example.test', recordType: 'A', expected: '198.51.100.1' }, open);
    expect(mismatch.error).toBe('DNS answer mismatch: expected 198.51.100.1, got 192.0.2.10, 192.0.2.11');
    expect(await dnsProbe({ ...base, host: 'example.test', recordType: 'MX', expected: '10 mail.example.test' }, open)).toMatchObject({ ok: true });
    expect(await dnsProbe({ ...base, host: 'example.test', recordType: 'TXT', expected: 'v=spf1 -all' }, open)).toMatchObject({ ok: true });
    expect(await dnsProbe({ ...base, host: 'alias.example.test', recordType: 'CNAME', expected: 'example.test.' }, open)).toMatchObject({ ok: true });
    const blocked = await dnsProbe({ ...base, host: 'example.test', recordType: 'A' }, { guard: BLOCK_ALL });
    expect(blocked.error).toMatch(/^Blocked: resolver 127\.0\.0\.1/);
    // IPv6 resolvers are whole addresses, never split into host and port (`::1` is not ":" port 1).
    for (const resolver of ['::1', '0:0:0:0:0:0:0:1', '::ffff:7f00:1', '[::1]:53']) {
      expect((await dnsProbe({ ...base, resolver, host: 'example.test', recordType: 'A' }, { guard: BLOCK_ALL })).error, resolver).toBe(`Blocked: resolver ${resolver.replace(/^\[|\]:53$/g, '')} is a private or reserved address; not allowed on this instance`);
    }
    expect((await dnsProbe({ ...base, resolver: '1.1.1.1:99999', host: 'example.test', recordType: 'A' }, open)).error).toMatch(/^Invalid resolver 1\.1\.1\.1:99999: .*1 to 65535/);
    const nx = await dnsProbe({ ...base, host: 'missing.example.test', recordType: 'A' }, open);
    expect(nx.error).toBe('DNS failure: A missing.example.test: no such domain (NXDOMAIN)');
  });
});

describe.each(testDbKinds())('check engine on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
    target.hits.clear();
  });
  afterEach(() => t.close());
  const deps = () => ({ db: t.db, clock: systemClock, logger: silentLogger, probe: open, ...TEST_CHECKS, retryPauseMs: 10 });

  it('retries a failed check before it counts, and records the attempts', async () => {
    const { account } = await makeAccount(t.db);
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { name: 'Blip', url: `${target.url}/blip/a`, interval_seconds: 60 });
    const outcome = await runCheck(deps(), m.id);
    expect(outcome).toMatchObject({ kind: 'recorded', status: 'up', consecutiveFailures: 0 });
    const row = await t.db.selectFrom('check_results').selectAll().where('monitor_id', '=', m.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ ok: 1, attempts: 2, region: null });
    const noRetry = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { name: 'Blip', url: `${target.url}/blip/b`, interval_seconds: 60, retries: 0 });
    expect(await runCheck(deps(), noRetry.id)).toMatchObject({ kind: 'recorded', status: 'pending', consecutiveFailures: 1 });
  });

  it('a slow but passing monitor is degraded, and so is its status page', async () => {
    const { account } = await makeAccount(t.db);
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { name: 'Slow', url: `${target.url}/slow?ms=120`, interval_seconds: 60, degraded_ms: 50 });
    expect(await runCheck(deps(), m.id)).toMatchObject({ kind: 'recorded', status: 'degraded', transition: 'none' });
    const slug = (await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const s = await getPublicStatus({ db: t.db, clock: systemClock }, slug);
    expect(s.status).toBe('degraded');
    expect(s.monitors[0]!.status).toBe('degraded');
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toHaveLength(0);
  });

  it('a TCP monitor goes down on a closed port', async () => {
    const { account } = await makeAccount(t.db);
    const port = await closedPort();
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { type: 'tcp', name: 'Redis', host: '127.0.0.1', port: String(port), interval_seconds: 60, failure_threshold: 1 });
    expect(await runCheck(deps(), m.id)).toMatchObject({ kind: 'recorded', status: 'down', transition: 'went_down' });
    const inc = await t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
    expect(inc.cause).toBe(`Connection refused by 127.0.0.1:${port}`);
  });

  it('records the check node (region) when it is not "local"', async () => {
    const { account } = await makeAccount(t.db);
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { name: 'ok', url: `${target.url}/ok`, interval_seconds: 60 });
    await runCheck({ ...deps(), region: 'eu-west' }, m.id);
    await runCheck({ ...deps(), region: 'local' }, m.id);
    const rows = await t.db.selectFrom('check_results').select('region').where('monitor_id', '=', m.id).orderBy('checked_at').execute();
    expect(rows.map((r) => r.region)).toEqual(['eu-west', null]);
  });

  it('SaaS mode refuses the instance itself as a target', async () => {
    const { account } = await makeAccount(t.db);
    await expect(
      createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SAAS, guard: BLOCK_ALL, ownHost: 'status.example.com' }, account.id, { name: 'x', url: 'https://status.example.com/healthz', interval_seconds: 300 }),
    ).rejects.toThrow(/this StatusPing instance itself/);
  });

  it('SaaS mode refuses a private TCP host in the form', async () => {
    const { account } = await makeAccount(t.db);
    await expect(
      createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SAAS, guard: BLOCK_ALL }, account.id, { type: 'tcp', name: 'x', host: '10.0.0.5', port: '22', interval_seconds: 300 }),
    ).rejects.toThrow(/private or reserved/);
  });
});
