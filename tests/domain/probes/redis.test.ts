import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeContext } from '../../../src/domain/checks/probes/contract.ts';
import { redisCheck } from '../../../src/domain/checks/probes/redis.ts';
import { type LookupFn, NetGuard } from '../../../src/lib/net-guard.ts';
import { serviceUrl } from '../../helpers/env.ts';
import { BLOCK_ALL, OPEN_GUARD } from '../../helpers/fixtures.ts';
import { closedPort } from '../../helpers/target.ts';

const REDIS_URL = serviceUrl('redis');
const RUN = `${process.pid}_${Date.now().toString(36)}`;

const parse = (raw: Record<string, unknown>) => redisCheck.settings.parse(raw);
const issues = (raw: Record<string, unknown>) => {
  const r = redisCheck.settings.safeParse(raw);
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

describe('redis settings', () => {
  it('has defaults and takes form strings and API JSON alike', () => {
    expect(parse({ url: 'redis://cache.example.com' })).toEqual({ url: 'redis://cache.example.com', password: '', command: 'PING', key: '', expected: '', tls: 'auto', ca: '' });
    const form = parse({ url: 'rediss://monitor@cache.example.com:6380/2', password: 'pw', command: 'get', key: 'deploy:version', expected: '42', tls: '' });
    expect(form).toMatchObject({ command: 'GET', key: 'deploy:version', tls: 'auto' });
    expect(parse({ ...form })).toEqual(form);
    expect(parse({ url: 'redis://cache.example.com', command: '' }).command).toBe('PING');
  });

  it('refuses what is not a usable redis:// URL, and GET without a key', () => {
    expect(issues({ url: '' })).toMatchObject({ url: 'Enter a redis:// URL' });
    expect(issues({ url: 'http://cache.example.com' }).url).toBe('Enter a redis:// or rediss:// URL like redis://db.example.com:6379/0');
    expect(issues({ url: 'redis://cache.example.com/abc' }).url).toMatch(/database is a number/);
    expect(issues({ url: 'redis://bad_host!' }).url).toBeDefined();
    expect(issues({ url: 'redis://cache.example.com', command: 'FLUSHALL' }).command).toBe('Choose PING or GET');
    expect(issues({ url: 'redis://cache.example.com', command: 'GET' })).toEqual({ key: 'Enter the key to read' });
    expect(issues({ url: 'redis://cache.example.com', tls: 'on' }).tls).toBe('Choose auto, off, require or verify');
  });

  it('lists the URL and the password as secrets; the target never shows a password', () => {
    expect(redisCheck).toMatchObject({ type: 'redis', label: 'Redis', probed: true });
    expect(redisCheck.secrets).toEqual(['url', 'password']);
    expect(redisCheck.fields.url!.input).toBe('secret');
    expect(redisCheck.fields.password!.input).toBe('secret');
    expect(Object.keys(redisCheck.fields).sort()).toEqual(Object.keys(parse({ url: 'redis://h.example' })).sort());
    expect(redisCheck.target(parse({ url: 'rediss://monitor:s3cret@cache.example.com:6380/2' }))).toBe('rediss://monitor@cache.example.com:6380/2');
    expect(redisCheck.target(parse({ url: 'redis://:s3cret@cache.example.com' }))).toBe('redis://cache.example.com:6379/0');
    expect(redisCheck.hosts(parse({ url: 'redis://:s3cret@cache.example.com' }))).toEqual(['cache.example.com']);
  });
});

describe.skipIf(!REDIS_URL)('redis check against the real server', () => {
  const base = new URL(REDIS_URL ?? 'redis://127.0.0.1:6379');
  const port = Number(base.port || 6379);
  const user = `sp_${RUN}`;
  const pass = `pw-${RUN}`;
  const key = `sp:${RUN}:version`;
  let admin: Redis;
  const url = (over: { scheme?: string; host?: string; port?: number; user?: string; password?: string; db?: number } = {}) => {
    const u = new URL(base.href);
    if (over.scheme) u.protocol = over.scheme;
    if (over.host) u.hostname = over.host;
    if (over.port) u.port = String(over.port);
    if (over.user !== undefined) u.username = over.user;
    if (over.password !== undefined) u.password = over.password;
    u.pathname = `/${over.db ?? 0}`;
    return u.href;
  };
  /** The ACL user's connections the server still has. */
  const sessions = async () => ((await admin.client('LIST')) as string).split('\n').filter((l) => l.includes(` user=${user} `)).length;

  beforeAll(async () => {
    admin = new Redis(base.href, { lazyConnect: true });
    await admin.connect();
    await admin.set(key, '42');
    await admin.rpush(`sp:${RUN}:list`, 'a');
    await admin.select(3);
    await admin.set(`sp:${RUN}:db3`, 'three');
    await admin.select(0);
    // A monitoring user as an operator would make one: log in, PING, GET on its own keys.
    await admin.call('ACL', 'SETUSER', user, 'on', `>${pass}`, `~sp:${RUN}:*`, '+@connection', '+get', '+select');
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    await admin.del(key, `sp:${RUN}:list`);
    await admin.select(3);
    await admin.del(`sp:${RUN}:db3`);
    await admin.quit();
  });

  it('up: PING answers; GET compares the value; the connection is closed', async () => {
    const before = handles();
    const ok = await redisCheck.run(parse({ url: url() }), ctx());
    expect(ok).toMatchObject({ ok: true, error: null, statusCode: null });
    expect(ok.responseMs).toBeLessThan(5000);
    expect(handles()).toBeLessThanOrEqual(before);
    expect(await redisCheck.run(parse({ url: url(), expected: 'PONG' }), ctx())).toMatchObject({ ok: true });
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key, expected: '42' }), ctx())).toMatchObject({ ok: true });
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key }), ctx())).toMatchObject({ ok: true });
    expect(await redisCheck.run(parse({ url: url({ db: 3 }), command: 'GET', key: `sp:${RUN}:db3`, expected: 'three' }), ctx())).toMatchObject({ ok: true });
  });

  it('down: expected mismatch, missing key, wrong type, unknown database, wrong port', async () => {
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key, expected: '43' }), ctx())).toMatchObject({ ok: false, error: 'Expected 43, got 42' });
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key: `sp:${RUN}:none` }), ctx())).toMatchObject({ ok: false, error: `Key sp:${RUN}:none does not exist` });
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key: `sp:${RUN}:none`, expected: '1' }), ctx())).toMatchObject({
      ok: false,
      error: `Expected 1, got nothing (key sp:${RUN}:none does not exist)`,
    });
    expect(await redisCheck.run(parse({ url: url(), command: 'GET', key: `sp:${RUN}:list` }), ctx())).toMatchObject({
      ok: false,
      error: 'Query error: WRONGTYPE Operation against a key holding the wrong kind of value',
    });
    expect(await redisCheck.run(parse({ url: url({ db: 9999 }) }), ctx())).toMatchObject({ ok: false, error: 'Unknown database 9999: DB index is out of range' });
    const closed = await closedPort();
    expect(await redisCheck.run(parse({ url: url({ port: closed }) }), ctx())).toMatchObject({ ok: false, error: `Connection refused by 127.0.0.1:${closed}` });
  });

  it('ACL user: password in the URL or its field; wrong password; a key it may not read; connections closed', async () => {
    expect(await redisCheck.run(parse({ url: url({ user, password: pass }), command: 'GET', key, expected: '42' }), ctx())).toMatchObject({ ok: true });
    expect(await redisCheck.run(parse({ url: url({ user }), password: pass }), ctx())).toMatchObject({ ok: true });
    const wrong = await redisCheck.run(parse({ url: url({ user, password: pass }), password: 'not-the-password' }), ctx());
    expect(wrong).toMatchObject({ ok: false, error: `Authentication failed for user ${user}` });
    expect(await redisCheck.run(parse({ url: url({ user: `nobody_${RUN}`, password: 'x' }) }), ctx())).toMatchObject({ ok: false, error: `Authentication failed for user nobody_${RUN}` });
    const denied = await redisCheck.run(parse({ url: url({ user, password: pass }), command: 'GET', key: 'other:key' }), ctx());
    expect(denied.ok).toBe(false);
    expect(denied.error).toMatch(/^Permission denied: .*no permissions to access .*key/);
    expect(JSON.stringify([wrong, denied])).not.toContain(pass);
    expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
  });

  it('a password for a server that has none says so', async () => {
    expect(await redisCheck.run(parse({ url: url({ password: 'unneeded' }) }), ctx())).toMatchObject({
      ok: false,
      error: `Authentication failed: 127.0.0.1:${port} has no password set, but the check gives one`,
    });
  });

  it('timeout: a server that accepts and never answers, within the monitor timeout, its socket closed', async () => {
    const silent = await startSilentServer();
    try {
      const before = handles();
      const started = Date.now();
      const r = await redisCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 800 }));
      expect(Date.now() - started).toBeLessThan(1100);
      expect(r).toMatchObject({ ok: false, error: 'Timeout: no answer within 0.8 s' });
      const tls = await redisCheck.run(parse({ url: url({ scheme: 'rediss:', port: silent.port }) }), ctx({ timeoutMs: 800 }));
      expect(tls.error).toBe(`Timeout: no TLS handshake with 127.0.0.1:${silent.port} within 0.8 s (does the server speak TLS on this port?)`);
      // Aborted (shutdown): answers at once and closes.
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      const t0 = Date.now();
      expect(await redisCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ timeoutMs: 5000, signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
      expect(Date.now() - t0).toBeLessThan(600);
      expect(await redisCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ signal: abort.signal }))).toMatchObject({ ok: false, error: 'aborted' });
      expect(await waitFor(() => silent.open() === 0)).toBe(true);
      expect(await waitFor(() => handles() <= before)).toBe(true);
    } finally {
      await silent.close();
    }
    // rediss:// to the plain-text server.
    expect((await redisCheck.run(parse({ url: url({ scheme: 'rediss:' }) }), ctx({ timeoutMs: 800 }))).error).toMatch(/^Timeout: no TLS handshake with|^TLS error/);
  });

  it('guard: blocked without connecting; an allowed range reaches the server; names go through the guard', async () => {
    const silent = await startSilentServer();
    try {
      expect((await redisCheck.run(parse({ url: url({ port: silent.port }) }), ctx({ guard: BLOCK_ALL }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
      const internal = new NetGuard({ block: true, lookup: lookup({ 'cache.example.test': '169.254.169.254' }) });
      expect((await redisCheck.run(parse({ url: url({ host: 'cache.example.test', port: silent.port }) }), ctx({ guard: internal }))).error).toMatch(
        /^Blocked: cache\.example\.test resolves to 169\.254\.169\.254/,
      );
      expect(silent.accepted()).toBe(0);
    } finally {
      await silent.close();
    }
    const allowed = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'cache.example.test': '127.0.0.1' }) });
    expect(await redisCheck.run(parse({ url: url() }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
    expect(await redisCheck.run(parse({ url: url({ host: 'cache.example.test' }), command: 'GET', key, expected: '42' }), ctx({ guard: allowed }))).toMatchObject({ ok: true });
  });

  describe('TLS', () => {
    let cert: string;
    let front: TlsServer;
    let frontPort: number;
    const guard = new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: lookup({ 'cache.example.test': '127.0.0.1' }) });

    beforeAll(async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'statusping-redistls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '2', '-subj', '/CN=cache.example.test', '-addext', 'subjectAltName=DNS:cache.example.test'], { stdio: 'ignore' });
      cert = readFileSync(`${dir}/cert.pem`, 'utf8');
      // The local server has no TLS port: this front terminates TLS and passes the plain protocol on.
      front = createTlsServer({ key: readFileSync(`${dir}/key.pem`), cert }, (secure) => {
        const upstream = connect(port, base.hostname);
        const close = () => (secure.destroy(), upstream.destroy());
        for (const s of [secure, upstream]) s.on('error', close).on('close', close);
        secure.pipe(upstream).pipe(secure);
      });
      front.on('tlsClientError', () => undefined);
      await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
      frontPort = (front.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => front.close(() => r())));

    it('rediss:// verifies the certificate against the name in the URL while the checked address is dialled', async () => {
      const before = handles();
      expect(await redisCheck.run(parse({ url: url({ scheme: 'rediss:', host: 'cache.example.test', port: frontPort }), command: 'GET', key, expected: '42' }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true, error: null });
      expect(await redisCheck.run(parse({ url: url({ scheme: 'rediss:', host: 'cache.example.test', port: frontPort, user, password: pass }), ca: cert }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await redisCheck.run(parse({ url: url({ scheme: 'rediss:', host: 'cache.example.test', port: frontPort }) }), ctx({ guard }))).toMatchObject({ ok: false, error: 'TLS error: self-signed certificate' });
      expect(await redisCheck.run(parse({ url: url({ scheme: 'rediss:', port: frontPort }) }), ctx({ guard, ca: cert }))).toMatchObject({ ok: false, error: 'TLS error: certificate does not match 127.0.0.1' });
      expect(await redisCheck.run(parse({ url: url({ host: 'cache.example.test', port: frontPort }), tls: 'verify' }), ctx({ guard, ca: cert }))).toMatchObject({ ok: true });
      expect(await waitFor(() => handles() <= before)).toBe(true);
      expect(await waitFor(async () => (await sessions()) === 0)).toBe(true);
    });

    it('require encrypts without judging the certificate; off speaks plain text', async () => {
      expect(await redisCheck.run(parse({ url: url({ scheme: 'rediss:', port: frontPort }), tls: 'require' }), ctx({ guard }))).toMatchObject({ ok: true });
      expect(await redisCheck.run(parse({ url: url({ port: frontPort }), tls: 'require' }), ctx({ guard }))).toMatchObject({ ok: true });
      expect((await redisCheck.run(parse({ url: url({ scheme: 'rediss:', port: frontPort }), tls: 'off' }), ctx({ guard, timeoutMs: 800 }))).ok).toBe(false);
    });
  });
});
