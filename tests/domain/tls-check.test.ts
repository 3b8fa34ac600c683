import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tlsProbe } from '../../src/domain/checks/probes/tls.ts';
import { createMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { ManualClock, systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SELF_HOSTED, OPEN_GUARD, TEST_CHECKS, TEST_EVENTS } from '../helpers/fixtures.ts';
import { closedPort } from '../helpers/target.ts';

let server: Server;
let port: number;
let cert: string;

beforeAll(async () => {
  // A certificate for "localhost" valid for 10 days, trusted in these tests as its own CA.
  const dir = mkdtempSync(path.join(tmpdir(), 'statusping-tlscheck-'));
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '10', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  cert = readFileSync(crt, 'utf8');
  server = createServer({ key: readFileSync(key), cert }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('TLS certificate probe against a local TLS server', () => {
  it('passes a trusted, matching certificate and reports the days left', async () => {
    const r = await tlsProbe({ host: 'localhost', port, timeoutMs: 3000 }, { guard: OPEN_GUARD, ca: cert });
    expect(r).toMatchObject({ ok: true, error: null });
    expect(r.cert!.daysLeft).toBeGreaterThanOrEqual(9);
    expect(r.cert!.daysLeft).toBeLessThanOrEqual(10);
  });

  it('names an untrusted chain, a host mismatch and a refused connection', async () => {
    expect((await tlsProbe({ host: 'localhost', port, timeoutMs: 3000 }, { guard: OPEN_GUARD })).error).toBe('TLS error: self-signed certificate');
    expect((await tlsProbe({ host: '127.0.0.1', port, timeoutMs: 3000 }, { guard: OPEN_GUARD, ca: cert })).error).toBe('TLS error: certificate does not match 127.0.0.1');
    const closed = await closedPort();
    expect((await tlsProbe({ host: '127.0.0.1', port: closed, timeoutMs: 3000 }, { guard: OPEN_GUARD })).error).toBe('Connection refused by 127.0.0.1');
  });
});

describe.each(testDbKinds())('TLS expiry warnings on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  it('warns once at the nearest crossed threshold, through the alert channels', async () => {
    const { account } = await makeAccount(t.db);
    const ch = await t.db
      .insertInto('alert_channels')
      .values({ account_id: account.id, kind: 'webhook', name: 'Hook', config: JSON.stringify({ url: 'http://127.0.0.1:9/', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }), is_default: 1, disabled_at: null, disabled_reason: null, created_at: 0, updated_at: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const m = await createMonitor({ events: TEST_EVENTS, db: t.db, clock: new ManualClock(), policy: SELF_HOSTED }, account.id, { type: 'tls', name: 'Shop TLS', host: 'localhost', port: String(port), interval_seconds: 3600 });
    const deps = { db: t.db, clock: systemClock, logger: silentLogger, probe: { guard: OPEN_GUARD, ca: cert }, ...TEST_CHECKS };
    expect(await runCheck(deps, m.id)).toMatchObject({ kind: 'recorded', status: 'up' });
    await runCheck(deps, m.id);
    const rows = await t.db.selectFrom('outbox').selectAll().where('channel_id', '=', ch.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event).toBe('tls_expiry');
    expect(rows[0]!.idempotency_key).toMatch(/:tls_expiry:\d+:14$/);
    expect(JSON.parse(rows[0]!.payload).cert.daysLeft).toBeLessThanOrEqual(10);
  });
});
