import { describe, expect, it } from 'vitest';
import { API_RATE } from '../../src/domain/apikeys/apikeys.ts';
import { MINUTE } from '../../src/lib/clock.ts';
import { buildApp, Client, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

const PROXY = { TRUST_PROXY: '1' };

describe.each(testDbKinds())('per-IP limits and push tokens on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('IPv6 clients share one budget per /64; another /64 has its own; IPv4-mapped is the IPv4', async () => {
    const { app } = buildApp(ctx.t.db, PROXY);
    const from = (ip: string) => app.request('/api/v1/monitors', { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < API_RATE.anonymousPerIp; i++) {
      // A fresh address of the same /64 each time: no new budget.
      expect((await from(`2001:db8:1:2::${(i + 1).toString(16)}`)).status).toBe(401);
    }
    expect((await from('2001:db8:1:2:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await from('2001:db8:1:3::1')).status).toBe(401);

    for (let i = 0; i < API_RATE.anonymousPerIp; i++) await from(i % 2 ? '198.51.100.7' : '::ffff:198.51.100.7');
    expect((await from('198.51.100.7')).status).toBe(429);
    expect((await from('198.51.100.8')).status).toBe(401);
  });

  it('login failures from one /64 add up, whichever of its addresses they come from', async () => {
    const { app } = buildApp(ctx.t.db, PROXY);
    const owner = await persona(app, 'owner');
    const anon = new Client(app);
    const login = (ip: string, email: string, password = 'wrong') => anon.post('/login', { email, password }, { 'x-forwarded-for': ip });
    for (let i = 0; i < 30; i++) expect((await login(`2001:db8:a:b:${i}::1`, `user${i}@example.com`)).status).toBe(401);
    expect((await login('2001:db8:a:b::99', owner.email, owner.password)).status).toBe(429);
    expect((await login('2001:db8:a:c::1', owner.email, owner.password)).status).toBe(303);
  });

  it('push: random tokens answer 404, are limited per client IP, and never touch a real token’s budget', async () => {
    const { app, deps, clock } = buildApp(ctx.t.db, PROXY);
    const owner = await persona(app, 'owner');
    const created = await owner.post('/monitors', { type: 'heartbeat', name: 'Backup', interval_seconds: '3600', grace_seconds: '300' });
    const id = Number(created.headers.get('location')!.split('/').pop());
    const { push_token: token } = await ctx.t.db.selectFrom('monitors').select('push_token').where('id', '=', id).executeTakeFirstOrThrow();
    const push = (t: string, ip = '203.0.113.9') => app.request(`/push/${t}`, { headers: { 'x-forwarded-for': ip } });

    for (let i = 0; i < 30; i++) {
      const res = await push(`guess${i}-${'x'.repeat(20)}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'Heartbeat not found' } });
    }
    const spent = await push('one-more-guess-xxxxxxxxxx');
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await push('a-guess-from-elsewhere-xxxx', '198.51.100.20')).status).toBe(404);

    // The real token still has all 60 pings, even from the address that was guessing.
    for (let i = 0; i < 60; i++) expect((await push(token!)).status).toBe(200);
    expect((await push(token!)).status).toBe(429);
    // Only the real token ever got a per-token count.
    expect(deps.rateLimits.limiter('push-token', 60, MINUTE).keyCount).toBe(1);
    clock.advance(MINUTE);
    expect((await push(token!)).status).toBe(200);
    expect((await push('the-next-minute-guess-xxxx')).status).toBe(404);
  });
});
