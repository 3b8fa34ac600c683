import { describe, expect, it } from 'vitest';
import { Client, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';

describe.each(testDbKinds())('private status pages and custom domains on %s', (kind) => {
  const ctx = useAppPerTest(kind);
  const base = { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto' };
  const slugOf = async () => (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;

  it('a password page asks for the password, refuses a wrong one, and remembers the right one', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const set = await owner.post(await settingsPath(owner), { ...base, access: 'password', page_password: 'open sesame' });
    expect(set.status).toBe(303);
    const slug = await slugOf();
    const visitor = new Client(ctx.built.app);
    const locked = await visitor.get(`/s/${slug}`);
    expect(locked.status).toBe(401);
    expect(locked.headers.get('cache-control')).toBe('private, no-store');
    expect(await locked.text()).toContain('This status page is protected');
    expect((await ctx.built.app.request(`/s/${slug}/api`)).status).toBe(401);
    const wrong = await visitor.raw(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=nope' });
    expect(wrong.status).toBe(401);
    const right = await visitor.raw(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=open%20sesame' });
    expect(right.status).toBe(303);
    const page = await visitor.get(`/s/${slug}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect((await visitor.get(`/s/${slug}/api`)).status).toBe(200);
    // Changing the password locks out the old unlock cookie (once the 10 s cache turns over).
    await owner.post(await settingsPath(owner), { ...base, access: 'password', page_password: 'a new secret' });
    ctx.built.clock.advance(11_000);
    expect((await visitor.get(`/s/${slug}`)).status).toBe(401);
  });

  it('a private page hides its badges, and a malformed Origin is refused, not a crash', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', { name: 'API', url: 'https://example.com/', interval_seconds: '60', is_public: 'true' });
    const id = Number(res.headers.get('location')!.split('/').pop());
    expect((await ctx.built.app.request(`/badge/${id}/status.svg`)).status).toBe(200);
    await owner.post(await settingsPath(owner), { ...base, access: 'password', page_password: 'open sesame' });
    ctx.built.clock.advance(11_000);
    expect((await ctx.built.app.request(`/badge/${id}/status.svg`)).status).toBe(404);
    const slug = await slugOf();
    const odd = await ctx.built.app.request(`/s/${slug}/unlock`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=x' });
    expect(odd.status).toBe(403);
  });

  it('unlock attempts are rate-limited', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.post(await settingsPath(owner), { ...base, access: 'password', page_password: 'open sesame' });
    const slug = await slugOf();
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await ctx.built.app.request(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=guess' })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('a members page lets members in and sends others to log in', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.post(await settingsPath(owner), { ...base, access: 'members' });
    const slug = await slugOf();
    expect((await owner.get(`/s/${slug}`)).status).toBe(200);
    const anon = await ctx.built.app.request(`/s/${slug}`);
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/s/${slug}`)}`);
    const outsider = await persona(ctx.built.app, 'outsider');
    expect((await outsider.get(`/s/${slug}`)).status).toBe(302);
    expect((await outsider.get(`/s/${slug}/api`)).status).toBe(401);
  });

  it('a custom domain serves the page at its root, and a domain can only be used once', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect((await owner.post(await settingsPath(owner), { ...base, custom_domain: 'Status.Acme.test' })).status).toBe(303);
    const page = await ctx.built.app.request('http://status.acme.test/', { headers: { host: 'status.acme.test' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1 class="text-2xl font-bold">Acme</h1>');
    const api = await ctx.built.app.request('http://status.acme.test/api', { headers: { host: 'status.acme.test' } });
    expect((await api.json()).page.title).toBe('Acme');
    const other = await persona(ctx.built.app, 'other');
    const clash = await other.post(await settingsPath(other), { ...base, custom_domain: 'status.acme.test' });
    expect(clash.status).toBe(422);
    expect(await clash.text()).toContain('Already used by another status page');
    expect((await ctx.built.app.request('http://unknown.test/', { headers: { host: 'unknown.test' } })).status).toBe(302);
    // Nothing but the status page on a customer's domain, and never the instance's own names.
    expect((await ctx.built.app.request('http://status.acme.test/login', { headers: { host: 'status.acme.test' } })).status).toBe(404);
    expect((await ctx.built.app.request('http://status.acme.test/incidents/x', { headers: { host: 'status.acme.test' } })).status).toBe(404);
    const history = await ctx.built.app.request('http://status.acme.test/history', { headers: { host: 'status.acme.test' } });
    expect(history.status).toBe(200);
    expect(await history.text()).toContain('Uptime history');
    const own = await other.post(await settingsPath(other), { ...base, custom_domain: 'www.localhost' });
    expect(own.status).toBe(422);
  });
});
