import { describe, expect, it } from 'vitest';
import { buildApp, Client, createMonitorVia, monitorForm, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

describe.each(testDbKinds())('hardening on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('the CSRF refusal page does not reflect the request path', async () => {
    const res = await ctx.built.app.request('/x%22%3E%3Cmeta%20http-equiv=refresh%3E', { method: 'POST' });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).not.toContain('<meta');
    expect(html).not.toContain('x">');
  });

  it.each(['//evil.example', '/\\evil.example', '/%09/evil.example', '/\t/evil.example', 'https://evil.example', '/\\/evil.example'])(
    'log-in never redirects off-site (next=%j)',
    async (next) => {
      const owner = await persona(ctx.built.app, 'owner');
      const res = await new Client(ctx.built.app).post('/login', { email: owner.email, password: owner.password, next });
      const loc = res.headers.get('location')!;
      expect(loc.startsWith('/')).toBe(true);
      expect(loc.startsWith('//')).toBe(false);
      expect(new URL(loc, 'http://app.test').host).toBe('app.test');
    },
  );

  it('self-hosted: only the first user may sign up unless ALLOW_SIGNUP=1', async () => {
    const closed = buildApp(ctx.t.db, { ALLOW_SIGNUP: '' }).app;
    const first = await new Client(closed).post('/signup', { email: 'admin@example.com', password: 'longenough', organization: 'Home' });
    expect(first.status).toBe(303);
    const page = await new Client(closed).get('/signup');
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('Sign-up is closed on this instance');
    const second = await new Client(closed).post('/signup', { email: 'stranger@example.com', password: 'longenough', organization: 'X' });
    expect(second.status).toBe(403);
    expect(await ctx.t.db.selectFrom('users').select('id').execute()).toHaveLength(1);
  });

  it('parallel wrong passwords cannot slip past the per-account limit', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const c = new Client(ctx.built.app);
    // One CSRF cookie and token first: 25 parallel first requests would each get a new cookie.
    await c.ensureCsrf();
    const results = await Promise.all(Array.from({ length: 25 }, () => c.post('/login', { email: owner.email, password: 'wrong-password' })));
    expect(results.filter((r) => r.status === 401)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
    expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('refuses oversized bodies with 413 and NUL characters with 422 naming the field', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const big = await owner.post('/monitors', monitorForm({ name: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    const nul = await owner.post('/monitors', monitorForm({ name: 'bad\u0000name' }));
    expect(nul.status).toBe(422);
    expect(await nul.text()).toContain('name: Text may not contain NUL characters');
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(0);
  });

  it('ids beyond 32 bits are 404, not a database error', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect((await owner.get('/monitors/9999999999')).status).toBe(404);
    expect((await owner.post('/monitors/2147483648/pause')).status).toBe(404);
  });

  it('"check now" cannot be repeated within a few seconds', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    expect((await owner.post(`/monitors/${id}/check`)).status).toBe(303);
    const again = await owner.post(`/monitors/${id}/check`);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    ctx.built.clock.advance(6000);
    expect((await owner.post(`/monitors/${id}/check`)).status).toBe(303);
  });

  it('GET /login?next= with a decoded tab does not leave the site', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.get('/login?next=/%09/evil.example');
    expect(res.headers.get('location')).toBe('/dashboard');
  });

  it('an htmx request with an expired session returns to the page, not the fragment', async () => {
    const res = await ctx.built.app.request('/monitors/5/live', { headers: { 'hx-request': 'true', 'hx-current-url': 'http://localhost:3000/monitors/5' } });
    expect(res.headers.get('hx-redirect')).toBe('/login?next=%2Fmonitors%2F5');
  });

  it('health checks and status pages set no cookies; status pages may be framed, the app may not', async () => {
    const health = await ctx.built.app.request('/healthz');
    expect(health.headers.getSetCookie()).toEqual([]);
    await persona(ctx.built.app, 'owner');
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const page = await ctx.built.app.request(`/s/${slug}`);
    expect(page.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(page.headers.get('x-frame-options')).toBeNull();
    const login = await ctx.built.app.request('/login');
    expect(login.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
