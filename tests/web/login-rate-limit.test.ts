import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

/** Posts the login form over a real socket from a chosen loopback address. */
function postLogin(port: number, from: string, form: Record<string, string>, cookie: string, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(form).toString();
  return new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/login', method: 'POST', localAddress: from, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('login rate limiting over real sockets', () => {
  let t: TestDb;
  let server: ServerType;
  let port: number;
  let owner: Awaited<ReturnType<typeof persona>>;
  let cookie: string;

  async function start(env: Record<string, string> = {}) {
    const built = buildApp(t.db, env);
    owner = await persona(built.app, 'owner');
    cookie = [...owner.cookies].filter(([k]) => k === 'sp_csrf').map(([k, v]) => `${k}=${v}`).join('; ');
    server = serve({ fetch: built.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  }
  const form = (email: string, password = 'wrong-password') => ({ email, password, _csrf: owner.csrf });

  beforeEach(async () => {
    t = await openTestDb('sqlite');
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await t.close();
  });

  it('locks an account after 10 failures, even from many addresses, and the right password then waits too', async () => {
    await start();
    for (let i = 0; i < 10; i++) expect(await postLogin(port, `127.0.0.${10 + i}`, form(owner.email), cookie)).toBe(401);
    expect(await postLogin(port, '127.0.0.99', form(owner.email), cookie)).toBe(429);
    expect(await postLogin(port, '127.0.0.98', form(owner.email, owner.password), cookie)).toBe(429);
  });

  it('limits one address trying many accounts, and a spoofed X-Forwarded-For does not reset it', async () => {
    await start();
    for (let i = 0; i < 30; i++) expect(await postLogin(port, '127.0.0.2', form(`user${i}@example.com`), cookie)).toBe(401);
    expect(await postLogin(port, '127.0.0.2', form('fresh@example.com'), cookie, { 'x-forwarded-for': '203.0.113.7' })).toBe(429);
    // Another address is unaffected.
    expect(await postLogin(port, '127.0.0.3', form(owner.email, owner.password), cookie)).toBe(303);
  });

  it('with TRUST_PROXY=1 the proxy-appended X-Forwarded-For address is the one limited', async () => {
    await start({ TRUST_PROXY: '1' });
    for (let i = 0; i < 30; i++) {
      expect(await postLogin(port, '127.0.0.2', form(`user${i}@example.com`), cookie, { 'x-forwarded-for': '198.51.100.1' })).toBe(401);
    }
    expect(await postLogin(port, '127.0.0.2', form('x@example.com'), cookie, { 'x-forwarded-for': '198.51.100.1' })).toBe(429);
    expect(await postLogin(port, '127.0.0.2', form(owner.email, owner.password), cookie, { 'x-forwarded-for': '198.51.100.2' })).toBe(303);
  });
});
