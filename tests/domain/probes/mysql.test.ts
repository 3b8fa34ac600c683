import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeContext } from '../../../src/domain/checks/probes/contract.ts';
import { mysqlCheck } from '../../../src/domain/checks/probes/mysql.ts';
import { type LookupFn, NetGuard } from '../../../src/lib/net-guard.ts';
import { serviceUrl } from '../../helpers/env.ts';
import { BLOCK_ALL, OPEN_GUARD } from '../../helpers/fixtures.ts';
import { closedPort } from '../../helpers/target.ts';

const MYSQL_URL = serviceUrl('mysql');
const RUN = `${process.pid}_${Date.now().toString(36)}`;

const parse = (raw: Record<string, unknown>) => mysqlCheck.settings.parse(raw);
const issues = (raw: Record<string, unknown>) => {
  const r = mysqlCheck.settings.safeParse(raw);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};
const ctx = (over: Partial<ProbeContext> = {}): ProbeContext => ({ guard: OPEN_GUARD, timeoutMs: 5000, ...over });

const lookup = (names: Record<string, string>): LookupFn => (host, _opts, cb) =>
  names[host] ? cb(null, [{ address: names[host]!, family: 4 }]) : cb(Object.assign(new Error(`${host} not found`), { code: 'ENOTFOUND' }), '', 0);

/** Open sockets and timers of this process: a finished check must leave none behind. */
const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap' || r === 'Timeout').length;

async function startSilentServer(): Promise<{ port: number; accepted: () => number; open: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume();
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

describe('mysql settings', () => {
  it('has defaults and takes form strings and API JSON alike', () => {
    const s = parse({ url: 'mysql://app@db.example.com/shop' });
    expect(s).toEqual({ url: 'mysql://app@db.example.com/shop', password: '', query: 'SELECT 1', expected: '', tls: 'auto', ca: '', query_timeout: 0 });
    const form = parse({ url: 'mariadb://app@db.example.com/shop', password: 'pw', query: 'SELECT COUNT(*) FROM jobs', expected: '0', tls: 'REQUIRE', query_timeout: '10' });
    const json = parse({ url: 'mariadb://app@db.example.com/shop', password: 'pw', query: 'SELECT COUNT(*) FROM jobs', expected: '0', tls: 'require', query_timeout: 10 });
    expect(form).toEqual(json);
    expect(parse(Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)])))).toEqual(form);
  });

  it('refuses what is not a usable mysql:// URL, with a sentence that says why', () => {
    expect(issues({ url: '' })).toMatchObject({ url: 'Enter a mysql:// URL' });
    expect(issues({ url: 'postgres://app@db.example.com/shop' }).url).toBe('Enter a mysql:// URL like mysql://user@db.example.com:3306/dbname');
    expect(issues({ url: 'mysql://db.example.com/shop' }).url).toMatch(/user name/);
    expect(issues({ url: 'mysql://app@db.example.com/shop?ssl-mode=SOMETIMES' }).url).toMatch(/ssl-mode= is one of/);
    expect(issues({ url: 'mysql://app@db.example.com/shop?socketPath=/run/mysqld.sock' }).url).toMatch(/Unix sockets/);
    expect(issues({ url: 'mysql://app@db.example.com/shop', query: 'update jobs set done = 1' }).query).toMatch(/read-only/);
    expect(issues({ url: 'mysql://app@db.example.com/shop', tls: 'yes' }).tls).toBe('Choose auto, off, require or verify');
    expect(issues({ url: 'mysql://app@db.example.com/shop', query_timeout: -1 }).query_timeout).toBe('At least 0 seconds');
  });

  it('lists the URL and the password as secrets; the target never shows a password', () => {
    expect(mysqlCheck).toMatchObject({ type: 'mysql', probed: true });
    expect(mysqlCheck.secrets).toEqual(['url', 'password']);
    expect(mysqlCheck.fields.url!.input).toBe('secret');
    expect(mysqlCheck.fields.password!.input).toBe('secret');
    expect(Object.keys(mysqlCheck.fields).sort()).toEqual(Object.keys(parse({ url: 'mysql://a@b.example/c' })).sort());
    const s = parse({ url: 'mysql://app:s3cret@db.example.com/shop?ssl-mode=REQUIRED' });
    expect(mysqlCheck.target(s)).toBe('mysql://app@db.example.com:3306/shop');
    expect(mysqlCheck.target(parse({ url: 'mariadb://app:x@10.0.0.5:3307' }))).toBe('mariadb://app@10.0.0.5:3307/');
    expect(mysqlCheck.hosts(s)).toEqual(['db.example.com']);
  });
});

/**
 * A TLS front for a server without TLS: advertises TLS in the greeting, takes the client's
 * SSLRequest and TLS handshake, and passes the rest on in plain text with the handshake's
 * sequence numbers shifted back by the packet the server never saw.
 */
function startMysqlTlsFront(upstreamHost: string, upstreamPort: number, key: Buffer, cert: string): Promise<Server> {
  const frame = (seq: number, payload: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    head[3] = seq & 0xff;
    return Buffer.concat([head, payload]);
  };
  const packets = (onPacket: (seq: number, payload: Buffer) => void) => {
    let buf = Buffer.alloc(0);
    return (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readUIntLE(0, 3)) {
        const len = buf.readUIntLE(0, 3);
        const seq = buf[3]!;
        const payload = buf.subarray(4, 4 + len);
        buf = buf.subarray(4 + len);
        onPacket(seq, payload);
      }
    };
  };
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamHost);
    let secure: TLSSocket | undefined;
    let state: 'greeting' | 'ssl-request' | 'response' | 'auth' | 'pipe' = 'greeting';
    const close = () => (client.destroy(), upstream.destroy(), secure?.destroy());
    for (const s of [client, upstream]) s.on('error', close).on('close', close);
    upstream.on(
      'data',
      packets((seq, payload) => {
        if (state === 'greeting') {
          const p = Buffer.from(payload);
          const caps = p.indexOf(0, 1) + 1 + 4 + 8 + 1;
          p.writeUInt16LE(p.readUInt16LE(caps) | 0x0800, caps); // CLIENT_SSL
          state = 'ssl-request';
          return void client.write(frame(seq, p));
        }
        const out = secure ?? client;
        if (state === 'auth') {
          if (payload[0] === 0x00 || payload[0] === 0xff) state = 'pipe';
          return void out.write(frame(seq + 1, payload));
        }
        out.write(frame(seq, payload));
      }),
    );
    let early = Buffer.alloc(0);
    const onPlain = (chunk: Buffer) => {
      early = Buffer.concat([early, chunk]);
      if (state !== 'ssl-request' || early.length < 4 + 32) return;
      client.removeListener('data', onPlain);
      // The ClientHello may share a segment with the SSLRequest: hand TLS a stream that starts after it.
      const rest = early.subarray(36);
      const feed = new Duplex({ read() {}, write: (c, _e, cb) => void client.write(c, cb) });
      if (rest.length) feed.push(rest);
      client.on('data', (c) => feed.push(c));
      client.on('end', () => feed.push(null));
      secure = new TLSSocket(feed, { isServer: true, key, cert });
      secure.on('error', close);
      state = 'response';
      secure.on(
        'data',
        packets((seq, payload) => {
          if (state === 'response') {
            const p = Buffer.from(payload);
            p.writeUInt32LE((p.readUInt32LE(0) & ~0x0800) >>> 0, 0);
            state = 'auth';
            return void upstream.write(frame(seq - 1, p));
          }
          upstream.write(frame(state === 'auth' ? seq - 1 : seq, payload));
        }),
      );
    };
    client.on('data', onPlain);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

describe.skipIf(!MYSQL_URL)('mysql check against the real server', () => {
  const base = new URL(MYSQL_URL ?? 'mysql://x@127.0.0.1/x');
  const db = base.pathname.replace(/^\//, '') || 'test';
  const user = `sp_${RUN}`;
  const pass = `pw-${RUN}`;
  const table = `sp_ro_${RUN}`;
  let admin: mysql.Connection;
  /** The monitoring user's URL (its sessions can be counted); root's when asked. */
  const url = (over: { host?: string; port?: number; db?: string; user?: string; password?: string; query?: string } = {}) => {
    const u = new URL(base.href);
    u.username = over.user ?? user;
    u.password = over.password ?? pass;
    if (over.host) u.hostname = over.host;
    if (over.port) u.port = String(over.port);
    u.pathname = `/${over.db ?? db}`;
    u.search = over.query ?? '';
    return u.href;
  };
  const sessions = async () => {
    const [rows] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
    return Number((rows as { n: number }[])[0]!.n);
  };

  beforeAll(async () => {
    admin = await mysql.createConnection(base.href);
    await admin.query(`CREATE TABLE \`${db}\`.\`${table}\` (n INT)`);
    await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${pass}'`);
    // Allowed to write: a refused INSERT is the read-only session's doing, not a missing grant.
    await admin.query(`GRANT SELECT, INSERT, CREATE ON \`${db}\`.* TO '${user}'@'127.0.0.1'`);
  });
  afterAll(async () => {
    await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
    await admin.query(`DROP TABLE IF EXISTS \`${db}\`.\`${table}\``);
    await admin.query(`DROP TABLE IF EXISTS \`${db}\`.\`${table}_new\``);
    await admin.end();
  });

  it('up: SELECT 1 with the password in the URL or in its field; values compared as the mysql client prints them; session closed', async () => {
    const before = handles();
    const ok = await mysqlCheck.run(parse({ url: url() }), ctx());
    expect(ok).toMatchObject({ ok: true, error: null, statusCode: null });
    expect(ok.responseMs).toBeLessThan(5000);
    expect(handles()).toBeLessThanOrEqual(before);
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
    expect(await mysqlCheck.run(parse({ url: url({ password: '' }), password: pass, expected: '1' }), ctx())).toMatchObject({ ok: true });
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT 1.50, NOW()', expected: '1.50' }), ctx())).toMatchObject({ ok: true });
    expect(await mysqlCheck.run(parse({ url: url(), query: `SELECT COUNT(*) FROM ${table}`, expected: '0' }), ctx())).toMatchObject({ ok: true });
  });

  it('compares the first row of several', async () => {
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3', expected: '1' }), ctx())).toMatchObject({ ok: true });
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT 3 UNION ALL SELECT 1', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got 3' });
  });

  it('down: expected mismatch, no rows, NULL', async () => {
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT 0', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got 0' });
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT 1 FROM DUAL WHERE 1 = 0', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got no rows' });
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT NULL', expected: '1' }), ctx())).toMatchObject({ ok: false, error: 'Expected 1, got NULL' });
  });

  it('down: wrong password, wrong port, unknown database, a database not granted, failing query — nothing of the password in the answer', async () => {
    const wrong = await mysqlCheck.run(parse({ url: url({ password: 'not-the-password' }) }), ctx());
    expect(wrong).toMatchObject({ ok: false, error: `Authentication failed for user ${user}` });
    // The password field is used instead of the URL's.
    expect(await mysqlCheck.run(parse({ url: url(), password: 'not-the-password' }), ctx())).toMatchObject({ ok: false, error: `Authentication failed for user ${user}` });
    expect(await mysqlCheck.run(parse({ url: url({ user: `nobody_${RUN}`, password: '' }) }), ctx())).toMatchObject({ ok: false, error: `Authentication failed for user nobody_${RUN}` });
    const port = await closedPort();
    expect(await mysqlCheck.run(parse({ url: url({ port }) }), ctx())).toMatchObject({ ok: false, error: `Connection refused by 127.0.0.1:${port}` });
    expect(await mysqlCheck.run(parse({ url: url({ user: base.username, password: base.password, db: `nodb_${RUN}` }) }), ctx())).toMatchObject({ ok: false, error: `Unknown database nodb_${RUN}` });
    expect(await mysqlCheck.run(parse({ url: url({ db: 'mysql' }) }), ctx())).toMatchObject({ ok: false, error: `Access denied for user ${user} to database mysql` });
    expect(await mysqlCheck.run(parse({ url: url(), query: 'SELECT * FROM no_such_table' }), ctx())).toMatchObject({ ok: false, error: `Query error: Table '${db}.no_such_table' doesn't exist` });
    const syntax = await mysqlCheck.run(parse({ url: url(), query: 'SELEC 1' }), ctx());
    expect(syntax.error).toMatch(/^Query error: You have an error in your SQL syntax/);
    expect(JSON.stringify([wrong, syntax])).not.toContain(pass);
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
  });

  it('read-only: writing statements are refused by the server, even ones the form would not catch', async () => {
    const write = (query: string) => mysqlCheck.run({ ...parse({ url: url() }), query }, ctx());
    expect(await write(`INSERT INTO ${table} VALUES (1)`)).toMatchObject({ ok: false, error: 'Query refused: the check runs read-only (Cannot execute statement in a READ ONLY transaction)' });
    expect((await write(`  insert into ${table} select 2`)).error).toMatch(/^Query refused: the check runs read-only/);
    expect((await write(`SELECT 1; INSERT INTO ${table} VALUES (3)`)).ok).toBe(false);
    await write(`CREATE TABLE ${table}_new (n INT)`);
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${table}\``);
    expect(Number((rows as { n: number }[])[0]!.n)).toBe(0);
    const [tables] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db, `${table}_new`]);
    expect(Number((tables as { n: number }[])[0]!.n)).toBe(0);
  });

  it('timeout: a slow query is stopped by the server within the monitor timeout, and by the query timeout', async () => {
    const before = handles();
    const slow = await mysqlCheck.run(parse({ url: url(), query: 'SELECT SLEEP(10)' }), ctx({ timeoutMs: 1500 }));
    expect(slow.ok).toBe(false);
    expect(slow.error).toMatch(/^Timeout: .*1\.5 s/);
    expect(slow.responseMs).toBeLessThan(2500);
    expect(handles()).toBeLessThanOrEqual(before);
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);

    const started = Date.now();
    const limited = await mysqlCheck.run(parse({ url: url(), query: 'SELECT SLEEP(3)', query_timeout: '1' }), ctx({ timeoutMs: 10_000 }));
    expect(limited).toMatchObject({ ok: false, error: 'Timeout: the query did not finish within 1 s (cancelled by the server)' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('timeout: a server that accepts and never answers, within the monitor timeout, its socket closed', async () => {
    const silent = await startSilentServer();
    try {
      const before = handles();
      const started = Date.now();
      const r = await mysqlCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 800 }));
      expect(Date.now() - started).toBeLessThan(1100); // the whole check, closing included
      expect(r.ok).toBe(false);
      expect(r.error).toBe(`Timeout: could not connect to 127.0.0.1:${silent.port} within 0.8 s`);
      expect(r.responseMs).toBeLessThan(1500);
      // Aborted (shutdown): answers at once and closes.
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      const t0 = Date.now();
      expect(await mysqlCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 5000, signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
      expect(Date.now() - t0).toBeLessThan(600);
      expect(await mysqlCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
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
      const blocked = await mysqlCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ guard: BLOCK_ALL }));
      expect(blocked.error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
      const internal = new NetGuard({ block: true, lookup: lookup({ 'db.example.test': '192.168.7.7' }) });
      expect((await mysqlCheck.run(parse({ url: url({ host: 'db.example.test', port: silent.port }) }), ctx({ guard: internal }))).error).toMatch(/^Blocked: db\.example\.test resolves to 192\.168\.7\.7/);
      expect(silent.accepted()).toBe(0);
    } finally {
      await silent.close();
    }
    const allowed = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'db.example.test': '127.0.0.1' }) });
    expect(await mysqlCheck.run(parse({ url: url() }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
    expect(await mysqlCheck.run(parse({ url: url({ host: 'db.example.test' }) }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
  });

  describe('TLS', () => {
    let cert: string;
    let front: Server;
    let frontPort: number;
    const guard = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'db.example.test': '127.0.0.1' }) });

    beforeAll(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'statusping-mytls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '2', '-subj', '/CN=db.example.test', '-addext', 'subjectAltName=DNS:db.example.test'], { stdio: 'ignore' });
      cert = readFileSync(`${dir}/cert.pem`, 'utf8');
      front = await startMysqlTlsFront(base.hostname, Number(base.port || 3306), readFileSync(`${dir}/key.pem`), cert);
      frontPort = (front.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => front.close(() => r())));

    it('verify: the certificate is judged against the name in the URL while the checked address is dialled', async () => {
      const before = handles();
      expect(await mysqlCheck.run(parse({ url: url({ host: 'db.example.test', port: frontPort }), tls: 'verify' }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true, error: null });
      expect(await mysqlCheck.run(parse({ url: url({ host: 'db.example.test', port: frontPort, query: '?ssl-mode=VERIFY_IDENTITY' }), ca: cert }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await mysqlCheck.run(parse({ url: url({ host: 'db.example.test', port: frontPort }), tls: 'verify' }), ctx({ guard }))).toMatchObject({ ok: false, error: 'TLS error: self-signed certificate' });
      const mismatch = await mysqlCheck.run(parse({ url: url({ port: frontPort }), tls: 'verify' }), ctx({ guard, ca: cert }));
      expect(mismatch.ok).toBe(false);
      expect(mismatch.error).toBe('TLS error: certificate does not match 127.0.0.1');
      // (the in-process TLS front's sockets count too, so wait for them to go)
      expect(await waitFor(() => handles() <= before)).toBe(true);
      expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
    });

    it('require encrypts without judging the certificate; TLS to a server without it says so', async () => {
      expect(await mysqlCheck.run(parse({ url: url({ port: frontPort, query: '?ssl-mode=REQUIRED' }) }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await mysqlCheck.run(parse({ url: url({ port: frontPort }), tls: 'require', query: 'SELECT 7', expected: '7' }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await mysqlCheck.run(parse({ url: url({ query: '?ssl-mode=REQUIRED' }) }), ctx())).toMatchObject({
        ok: false,
        error: `TLS error: 127.0.0.1:${base.port || 3306} does not accept TLS connections (set TLS to off, or enable TLS on the server)`,
      });
    });
  });
});
