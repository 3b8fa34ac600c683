import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeContext } from '../../../src/domain/checks/probes/contract.ts';
import { postgresCheck } from '../../../src/domain/checks/probes/postgres.ts';
import { type LookupFn, NetGuard } from '../../../src/lib/net-guard.ts';
import { BLOCK_ALL, OPEN_GUARD } from '../../helpers/fixtures.ts';
import { closedPort } from '../../helpers/target.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const RUN = `${process.pid}_${Date.now().toString(36)}`;

const parse = (raw: Record<string, unknown>) => postgresCheck.settings.parse(raw);
const issues = (raw: Record<string, unknown>) => {
  const r = postgresCheck.settings.safeParse(raw);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};
const ctx = (over: Partial<ProbeContext> = {}): ProbeContext => ({ guard: OPEN_GUARD, timeoutMs: 5000, ...over });

/** Names resolved by the guard as the test says (the names do not exist in real DNS). */
const lookup = (names: Record<string, string>): LookupFn => (host, _opts, cb) =>
  names[host] ? cb(null, [{ address: names[host]!, family: 4 }]) : cb(Object.assign(new Error(`${host} not found`), { code: 'ENOTFOUND' }), '', 0);

/** Open sockets and timers of this process: a finished check must leave none behind. */
const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap' || r === 'Timeout').length;

/** A TCP server that accepts and never answers; counts connections and how many are still open. */
async function startSilentServer(): Promise<{ port: number; accepted: () => number; open: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume(); // read (and drop) what comes, so the client's close is seen
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('postgres settings', () => {
  it('has defaults and takes form strings and API JSON alike', () => {
    const s = parse({ url: 'postgres://app@db.example.com/shop' });
    expect(s).toEqual({ url: 'postgres://app@db.example.com/shop', password: '', query: 'SELECT 1', expected: '', tls: 'auto', ca: '', query_timeout: 0 });
    const form = parse({ url: ' postgres://app@db.example.com/shop ', password: 'pw', query: 'SELECT count(*) FROM jobs', expected: '0', tls: 'Verify', query_timeout: '5' });
    const json = parse({ url: 'postgres://app@db.example.com/shop', password: 'pw', query: 'SELECT count(*) FROM jobs', expected: '0', tls: 'verify', query_timeout: 5 });
    expect(form).toEqual(json);
    expect(form).toMatchObject({ tls: 'verify', query_timeout: 5 });
    expect(parse({ url: 'postgresql://app@db.example.com/shop', query: '', tls: '', query_timeout: '' })).toMatchObject({ query: 'SELECT 1', tls: 'auto', query_timeout: 0 });
    // Stored settings (strings) parse back to the same.
    expect(parse(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)])))).toEqual(form);
  });

  it('refuses what is not a usable postgres:// URL, with a sentence that says why', () => {
    expect(issues({})).toMatchObject({ url: 'Enter a postgres:// URL' });
    expect(issues({ url: '' })).toMatchObject({ url: 'Enter a postgres:// URL' });
    expect(issues({ url: 'db.example.com:5432' }).url).toMatch(/^Enter a postgres:\/\/ URL/);
    expect(issues({ url: 'mysql://app@db.example.com/shop' }).url).toMatch(/^Enter a postgres:\/\/ URL/);
    expect(issues({ url: 'postgres:///shop' }).url).toMatch(/needs a host/);
    expect(issues({ url: 'postgres://db.example.com/shop' }).url).toMatch(/user name/);
    expect(issues({ url: 'postgres://app@bad_host!/shop' }).url).toMatch(/host name|URL/);
    expect(issues({ url: 'postgres://app@db.example.com/shop?sslmode=sometimes' }).url).toMatch(/sslmode= is one of/);
    expect(issues({ url: 'postgres:///shop?host=/var/run/postgresql' }).url).toMatch(/Unix sockets/);
    expect(issues({ url: 'postgres://app:%zz@db.example.com/shop' }).url).toMatch(/%-escape/);
    expect(issues({ url: 'postgres://app@db.example.com/shop', query: 'DELETE FROM jobs' }).query).toMatch(/read-only/);
    expect(issues({ url: 'postgres://app@db.example.com/shop', tls: 'maybe' }).tls).toBe('Choose auto, off, require or verify');
    expect(issues({ url: 'postgres://app@db.example.com/shop', query_timeout: 'soon' }).query_timeout).toMatch(/number of seconds/);
    expect(issues({ url: 'postgres://app@db.example.com/shop', query_timeout: 301 }).query_timeout).toBe('At most 300 seconds');
    expect(issues({ url: 'postgres://app@db.example.com/shop', ca: 'not a cert' }).ca).toMatch(/PEM/);
  });

  it('lists the URL and the password as secrets; the target never shows a password', () => {
    expect(postgresCheck).toMatchObject({ type: 'postgres', label: 'PostgreSQL', probed: true });
    expect(postgresCheck.secrets).toEqual(['url', 'password']);
    expect(postgresCheck.fields.url!.input).toBe('secret');
    expect(postgresCheck.fields.password!.input).toBe('secret');
    expect(Object.keys(postgresCheck.fields).sort()).toEqual(Object.keys(parse({ url: 'postgres://a@b.example/c' })).sort());
    const s = parse({ url: 'postgres://app:s3cr%40t@db.example.com/shop?sslmode=require&password=other' });
    expect(postgresCheck.target(s)).toBe('postgres://app@db.example.com:5432/shop');
    expect(postgresCheck.target(s)).not.toMatch(/s3cr|other/);
    expect(postgresCheck.target(parse({ url: 'postgresql://app@[2001:db8::5]:6432/shop' }))).toBe('postgresql://app@[2001:db8::5]:6432/shop');
    expect(postgresCheck.hosts(s)).toEqual(['db.example.com']);
    expect(postgresCheck.hosts(parse({ url: 'postgres://app@[2001:db8::5]/shop' }))).toEqual(['2001:db8::5']);
  });
});

describe.skipIf(!PG_URL)('postgres check against the real server', () => {
  const base = new URL(PG_URL ?? 'postgres://x@127.0.0.1/x');
  const app = `sp_check_${RUN}`;
  const table = `sp_ro_${RUN}`;
  /** The test server's URL with an application_name, so its sessions can be found in pg_stat_activity. */
  const url = (over: { host?: string; port?: number; db?: string; user?: string; query?: string } = {}) => {
    const u = new URL(base.href);
    if (over.host) u.hostname = over.host;
    if (over.port) u.port = String(over.port);
    if (over.db) u.pathname = `/${over.db}`;
    if (over.user) u.username = over.user;
    u.search = `application_name=${app}${over.query ? `&${over.query}` : ''}`;
    return u.href;
  };
  let admin: pg.Client;
  const sessions = async () => Number((await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0].n);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (n int)`);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('up: SELECT 1 answers, the expected value is compared as psql prints it, and the session is closed', async () => {
    const before = handles();
    const ok = await postgresCheck.run(parse({ url: url() }), ctx());
    expect(ok).toMatchObject({ ok: true, error: null, statusCode: null });
    expect(ok.responseMs).toBeGreaterThanOrEqual(0);
    expect(ok.responseMs).toBeLessThan(5000);
    expect(handles()).toBeLessThanOrEqual(before);
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);

    expect(await postgresCheck.run(parse({ url: url(), expected: '1' }), ctx())).toMatchObject({ ok: true });
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT true, 2', expected: 't' }), ctx())).toMatchObject({ ok: true });
    expect(await postgresCheck.run(parse({ url: url(), query: "SELECT 1.50::numeric, 'x'", expected: '1.50' }), ctx())).toMatchObject({ ok: true });
  });

  it('reads only the first row: a query over a big result does not pull it all in', async () => {
    const started = Date.now();
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT generate_series(1, 2000000)', expected: '1' }), ctx())).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(1000); // all of it takes seconds and hundreds of MB
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
  });

  it('down: expected mismatch, no rows, NULL', async () => {
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT 0', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got 0' });
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT 1 WHERE false', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got no rows' });
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT NULL', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got NULL' });
  });

  it('down: wrong port, unknown database, unknown role, failing query', async () => {
    const port = await closedPort();
    expect(await postgresCheck.run(parse({ url: url({ port }) }), ctx())).toMatchObject({ ok: false, error: `Connection refused by 127.0.0.1:${port}` });
    expect(await postgresCheck.run(parse({ url: url({ db: `nodb_${RUN}` }) }), ctx())).toMatchObject({ ok: false, error: `Unknown database nodb_${RUN}` });
    const r = await postgresCheck.run(parse({ url: url({ user: `nobody_${RUN}` }) }), ctx());
    expect(r).toMatchObject({ ok: false, error: `Authentication failed for user nobody_${RUN}: role "nobody_${RUN}" does not exist` });
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT 1/0' }), ctx())).toMatchObject({ ok: false, error: 'Query error: division by zero' });
    expect(await postgresCheck.run(parse({ url: url(), query: 'SELECT * FROM no_such_table' }), ctx())).toMatchObject({ ok: false, error: 'Query error: relation "no_such_table" does not exist' });
    expect(await sessions()).toBe(0);
  });

  it('read-only: a writing query is refused by the server, even one the form would not catch', async () => {
    const write = (query: string) => postgresCheck.run({ ...parse({ url: url() }), query }, ctx());
    expect(await write(`INSERT INTO ${table} VALUES (1)`)).toMatchObject({ ok: false, error: 'Query refused: the check runs read-only (cannot execute INSERT in a read-only transaction)' });
    expect((await write(`WITH w AS (INSERT INTO ${table} VALUES (2) RETURNING n) SELECT n FROM w`)).error).toMatch(/^Query refused: the check runs read-only/);
    expect(await write(`COMMIT; INSERT INTO ${table} VALUES (3)`)).toMatchObject({ ok: false, error: 'Query error: run one statement only' });
    expect((await write(`SELECT nextval('no_seq')`)).ok).toBe(false);
    expect((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n).toBe('0');
  });

  it('timeout: a slow query is cancelled by the server within the monitor timeout, and by the query timeout', async () => {
    const before = handles();
    const slow = await postgresCheck.run(parse({ url: url(), query: 'SELECT pg_sleep(10)' }), ctx({ timeoutMs: 1500 }));
    expect(slow.ok).toBe(false);
    expect(slow.error).toMatch(/^Timeout: .*1\.5 s/);
    expect(slow.responseMs).toBeLessThan(2500);
    expect(handles()).toBeLessThanOrEqual(before);
    // Nothing keeps running on the server.
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);

    const started = Date.now();
    const limited = await postgresCheck.run(parse({ url: url(), query: 'SELECT pg_sleep(3)', query_timeout: '1' }), ctx({ timeoutMs: 10_000 }));
    expect(limited).toMatchObject({ ok: false, error: 'Timeout: the query did not finish within 1 s (cancelled by the server)' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('timeout: a server that accepts and never answers, within the monitor timeout, its socket closed', async () => {
    const silent = await startSilentServer();
    try {
      const before = handles();
      const started = Date.now();
      const r = await postgresCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 800 }));
      expect(Date.now() - started).toBeLessThan(1100); // the whole check, closing included
      expect(r).toMatchObject({ ok: false, error: `Timeout: could not connect to 127.0.0.1:${silent.port} within 0.8 s` });
      expect(r.responseMs).toBeLessThan(1500);
      expect(silent.accepted()).toBe(1);
      // Aborted (shutdown): answers at once and closes.
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      const t0 = Date.now();
      expect(await postgresCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 5000, signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
      expect(Date.now() - t0).toBeLessThan(600);
      expect(await postgresCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
      expect(await waitFor(() => silent.open() === 0)).toBe(true);
      // (the in-process server's sockets count too, so wait for them to go)
      expect(await waitFor(() => handles() <= before)).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('guard: blocked without connecting; an allowed range reaches the server; names go through the guard', async () => {
    const silent = await startSilentServer();
    try {
      const blocked = await postgresCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ guard: BLOCK_ALL }));
      expect(blocked.ok).toBe(false);
      expect(blocked.error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
      const byName = await postgresCheck.run(parse({ url: url({ host: 'localhost' }) }), ctx({ guard: BLOCK_ALL }));
      expect(byName.error).toMatch(/^Blocked: localhost/);
      const internal = new NetGuard({ block: true, lookup: lookup({ 'db.example.test': '10.1.2.3' }) });
      expect((await postgresCheck.run(parse({ url: url({ host: 'db.example.test' }) }), ctx({ guard: internal }))).error).toBe(
        'Blocked: db.example.test resolves to 10.1.2.3, a private or reserved address; checks of internal networks are not allowed on this instance',
      );
      expect(silent.accepted()).toBe(0);
    } finally {
      await silent.close();
    }
    const allowed = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'db.example.test': '127.0.0.1' }) });
    expect(await postgresCheck.run(parse({ url: url() }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
    // The driver is handed the checked address: this name exists only in the guard's lookup.
    expect(await postgresCheck.run(parse({ url: url({ host: 'db.example.test' }) }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
  });

  describe('TLS', () => {
    let cert: string;
    let proxy: Server;
    let proxyPort: number;
    const upstreamPort = Number(base.port || 5432);

    beforeAll(async () => {
      // A self-signed certificate for db.example.test and localhost, trusted in these tests as its own CA.
      const dir = mkdtempSync(path.join(tmpdir(), 'statusping-pgtls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '2', '-subj', '/CN=db.example.test', '-addext', 'subjectAltName=DNS:db.example.test,DNS:localhost'], { stdio: 'ignore' });
      cert = readFileSync(`${dir}/cert.pem`, 'utf8');
      const key = readFileSync(`${dir}/key.pem`);
      // The local server has TLS off: this proxy answers the SSLRequest, does TLS and passes the rest on.
      proxy = createServer((client) => {
        client.on('error', () => undefined);
        client.once('data', (first) => {
          if (first.length < 8 || first.readInt32BE(4) !== 80877103) return client.destroy();
          client.write('S');
          const secure = new TLSSocket(client, { isServer: true, key, cert });
          const upstream = connect(upstreamPort, base.hostname);
          for (const s of [secure, upstream]) s.on('error', () => (secure.destroy(), upstream.destroy()));
          secure.on('close', () => upstream.destroy());
          upstream.on('close', () => secure.destroy());
          secure.pipe(upstream).pipe(secure);
        });
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
      proxyPort = (proxy.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

    const guard = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'db.example.test': '127.0.0.1' }) });
    const tlsUrl = (host: string, query = '') => url({ host, port: proxyPort, query });

    it('verify: the certificate is judged against the name in the URL while the checked address is dialled', async () => {
      expect(await postgresCheck.run(parse({ url: tlsUrl('db.example.test'), tls: 'verify' }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true, error: null });
      expect(await postgresCheck.run(parse({ url: tlsUrl('db.example.test', 'sslmode=verify-full') }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true });
      expect(await postgresCheck.run(parse({ url: tlsUrl('db.example.test', 'sslmode=verify-full'), ca: cert }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await postgresCheck.run(parse({ url: tlsUrl('db.example.test'), tls: 'verify' }), ctx({ guard }))).toMatchObject({ ok: false, error: 'TLS error: self-signed certificate' });
      expect(await postgresCheck.run(parse({ url: tlsUrl('127.0.0.1'), tls: 'verify' }), ctx({ guard, ca: cert }))).toMatchObject({ ok: false, error: 'TLS error: certificate does not match 127.0.0.1' });
      // verify-ca checks the chain, not the name.
      expect(await postgresCheck.run(parse({ url: tlsUrl('127.0.0.1', 'sslmode=verify-ca') }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true });
    });

    it('require encrypts without judging the certificate; TLS to a server without it says so', async () => {
      const before = handles();
      expect(await postgresCheck.run(parse({ url: tlsUrl('127.0.0.1'), tls: 'require' }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await postgresCheck.run(parse({ url: tlsUrl('127.0.0.1', 'sslmode=require') }), ctx({ guard }))).toMatchObject({ ok: true });
      // (the in-process TLS front's sockets count too, so wait for them to go)
      expect(await waitFor(() => handles() <= before)).toBe(true);
      // tls=off wins over the URL: the proxy only speaks TLS, so a plain startup is dropped.
      expect((await postgresCheck.run(parse({ url: tlsUrl('127.0.0.1', 'sslmode=require'), tls: 'off' }), ctx({ guard, timeoutMs: 1000 }))).ok).toBe(false);
      expect(await postgresCheck.run(parse({ url: url({ query: 'sslmode=require' }) }), ctx())).toMatchObject({
        ok: false,
        error: `TLS error: 127.0.0.1:${upstreamPort} does not accept TLS connections (set TLS to off, or enable TLS on the server)`,
      });
      expect(await sessions()).toBe(0);
    });
  });
});

describe('postgres check: password authentication (a protocol-level stand-in, the local server trusts 127.0.0.1)', () => {
  let server: Server;
  let port: number;
  let received: string[];

  beforeAll(async () => {
    // Speaks just enough of the protocol: refuses TLS, asks for a cleartext password, refuses it.
    server = createServer((sock) => {
      let buf = Buffer.alloc(0);
      let started = false;
      sock.on('error', () => undefined);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (!started) {
          if (buf.length < 8 || buf.length < buf.readInt32BE(0)) return;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(buf.readInt32BE(0));
          if (code === 80877103) return void sock.write('N');
          started = true;
          const ask = Buffer.alloc(9);
          ask.write('R');
          ask.writeInt32BE(8, 1);
          ask.writeInt32BE(3, 5); // AuthenticationCleartextPassword
          return void sock.write(ask);
        }
        if (buf[0] === 0x70 && buf.length >= 5 && buf.length >= 1 + buf.readInt32BE(1)) {
          received.push(buf.subarray(5, 1 + buf.readInt32BE(1) - 1).toString());
          buf = Buffer.alloc(0);
          const body = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "app"\0\0');
          const head = Buffer.alloc(5);
          head.write('E');
          head.writeInt32BE(body.length + 4, 1);
          sock.end(Buffer.concat([head, body]));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('wrong password: "Authentication failed for user …", the password field overriding the URL, nothing of it in the answer', async () => {
    received = [];
    const r = await postgresCheck.run(parse({ url: `postgres://app:in-url-secret@127.0.0.1:${port}/shop` }), ctx());
    expect(r).toMatchObject({ ok: false, error: 'Authentication failed for user app' });
    const f = await postgresCheck.run(parse({ url: `postgres://app:in-url-secret@127.0.0.1:${port}/shop`, password: 'field-secret' }), ctx());
    expect(f.error).toBe('Authentication failed for user app');
    expect(received).toEqual(['in-url-secret', 'field-secret']);
  });

  it('no password: an empty one is sent, never one from PGPASSWORD or ~/.pgpass of this host', async () => {
    received = [];
    const saved = process.env.PGPASSWORD;
    process.env.PGPASSWORD = 'host-secret';
    try {
      const r = await postgresCheck.run(parse({ url: `postgres://app@127.0.0.1:${port}/shop` }), ctx());
      expect(r.ok).toBe(false);
      expect(received).toEqual(['']);
    } finally {
      if (saved === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = saved;
    }
  });
});
