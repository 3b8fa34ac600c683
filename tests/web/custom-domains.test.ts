import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { buildApp, type Client, persona } from '../helpers/app.ts';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';
import { joinAs, type TeamCtx, useTeamApp } from '../helpers/team.ts';

const zone: Record<string, Record<string, unknown[]>> = {};
let dns: DnsServer;
// SaaS mode (a Stripe key) with the TXT lookups sent to the local DNS server; read when each test's app is built.
const env: Record<string, string> = { STRIPE_SECRET_KEY: 'sk_test_domains' };
beforeAll(async () => {
  dns = await startDnsServer(zone);
  env.DNS_VERIFY_RESOLVER = dns.address;
});
afterAll(() => dns.close());

const base = { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto' };

describe.each(testDbKinds())('custom domain verification on the web on %s', (kind) => {
  const ctx: TeamCtx = useTeamApp(kind, env);
  beforeEach(() => {
    for (const k of Object.keys(zone)) delete zone[k];
  });

  async function business(name: string): Promise<Client & { email: string; password: string }> {
    const client = await persona(ctx.built.app, name);
    const user = await ctx.t.db.selectFrom('users').select('id').where('email', '=', client.email).executeTakeFirstOrThrow();
    const m = await ctx.t.db.selectFrom('memberships').select('account_id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('accounts').set({ plan: 'business' }).where('id', '=', m.account_id).execute();
    return client;
  }
  const onHost = (host: string, path = '/') => ctx.built.app.request(`http://${host}${path}`, { headers: { host } });
  const tokenOf = async (path: string) =>
    (await ctx.t.db.selectFrom('status_pages').select('domain_token').where('id', '=', Number(path.split('/').pop())).executeTakeFirstOrThrow()).domain_token!;
  const publish = (domain: string, value: string) => {
    zone[`_statusping.${domain}`] = { TXT: [[value]] };
  };
  async function check(client: Client, path: string): Promise<string> {
    const res = await client.post(`${path}/domain/check`);
    expect(res.status).toBe(303);
    const to = res.headers.get('location')!;
    return (await client.get(to)).text();
  }

  it('a pending domain shows the records to publish and is not served; "Check DNS now" says what it found, then verifies it', async () => {
    const owner = await business('owner');
    const path = await settingsPath(owner);
    expect((await owner.post(path, { ...base, custom_domain: 'status.acme.test' })).status).toBe(303);
    const token = await tokenOf(path);
    const pending = await (await owner.get(path)).text();
    expect(pending).toMatch(/data-testid="domain-status">Pending</);
    expect(pending).toMatch(new RegExp(`<td[^>]*>TXT</td><td[^>]*>_statusping\\.status\\.acme\\.test</td><td[^>]*>statusping-verify=${token}</td>`));
    expect(pending).toMatch(/<td[^>]*>CNAME<\/td><td[^>]*>status\.acme\.test<\/td><td[^>]*>statusping\.test<\/td>/);
    expect(pending).toContain('fly certs add status.acme.test');
    expect(pending).toContain('Check DNS now');
    expect((await onHost('status.acme.test')).status).toBe(302); // like any unknown host: off to the app

    const none = await check(owner, path);
    expect(none).toContain('DNS checked: the domain is not verified yet');
    expect(none).toContain('No TXT record found at _statusping.status.acme.test yet.');

    publish('status.acme.test', 'statusping-verify=typo');
    const wrong = await check(owner, path);
    expect(wrong).toContain(`has a different value: &quot;statusping-verify=typo&quot;. It should be &quot;statusping-verify=${token}&quot;.`);

    publish('status.acme.test', `statusping-verify=${token}`);
    const verified = await check(owner, path);
    expect(verified).toContain('Domain verified: the page answers on it within a minute.');
    expect(verified).toMatch(/data-testid="domain-status">Verified</);
    expect(verified).not.toContain('Check DNS now');
    expect(verified).not.toContain('statusping-verify=');
    ctx.built.clock.advance(31_000); // the host lookup cache turns over
    const page = await onHost('status.acme.test');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1 class="text-2xl font-bold">Acme</h1>');
    const audit = await (await owner.get('/settings/audit')).text();
    expect(audit).toContain('page.domain_verified');
  });

  it('another account’s pending claim does not block the owner, and is released with a note when the owner verifies', async () => {
    const squatter = await business('squatter');
    const owner = await business('owner');
    const squatterPath = await settingsPath(squatter);
    const ownerPath = await settingsPath(owner);
    expect((await squatter.post(squatterPath, { ...base, custom_domain: 'status.acme.test' })).status).toBe(303);
    expect((await owner.post(ownerPath, { ...base, custom_domain: 'status.acme.test' })).status).toBe(303);
    publish('status.acme.test', `statusping-verify=${await tokenOf(ownerPath)}`);
    expect(await check(squatter, squatterPath)).toContain('has a different value');
    expect(await check(owner, ownerPath)).toContain('Domain verified');

    const released = await (await squatter.get(squatterPath)).text();
    expect(released).toMatch(/data-testid="domain-released">Your claim on <span class="font-mono">status\.acme\.test<\/span> was released/);
    expect(released).not.toContain('data-testid="domain-status"');
    // Claiming it again is allowed but only pending: the name stays with the page that proved it.
    const again = await squatter.post(squatterPath, { ...base, custom_domain: 'status.acme.test' });
    expect(again.status).toBe(303);
    expect(await (await squatter.get(squatterPath)).text()).toContain('data-testid="domain-status"');
  });

  it('the check answers only for the account’s own page, needs pages.write and the CSRF token, and asks for a domain first', async () => {
    const owner = await business('owner');
    const path = await settingsPath(owner);
    const noDomain = await owner.post(`${path}/domain/check`);
    expect(noDomain.status).toBe(422);
    expect(await noDomain.text()).toContain('Set a custom domain first, then check its DNS');
    await owner.post(path, { ...base, custom_domain: 'status.acme.test' });
    publish('status.acme.test', `statusping-verify=${await tokenOf(path)}`);

    const outsider = await business('outsider');
    expect((await outsider.post(`${path}/domain/check`)).status).toBe(404);
    const viewer = await joinAs(ctx, owner, 'viewer');
    const viewerPage = await (await viewer.get(path)).text();
    expect(viewerPage).toContain('_statusping.status.acme.test');
    expect(viewerPage).not.toContain('Check DNS now');
    expect((await viewer.post(`${path}/domain/check`)).status).toBe(403);
    const forged = await owner.raw(`${path}/domain/check`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(forged.status).toBe(403);
    const row = await ctx.t.db.selectFrom('status_pages').select(['domain_verified_at', 'domain_checked_at']).where('custom_domain', '=', 'status.acme.test').executeTakeFirstOrThrow();
    expect(row).toEqual({ domain_verified_at: null, domain_checked_at: null });
  });

  it('"Check DNS now" is limited to 10 per page per 10 minutes (429 with Retry-After), then works again', async () => {
    const owner = await business('owner');
    const path = await settingsPath(owner);
    await owner.post(path, { ...base, custom_domain: 'status.acme.test' });
    for (let i = 0; i < 10; i++) expect((await owner.post(`${path}/domain/check`)).status).toBe(303);
    const limited = await owner.post(`${path}/domain/check`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many attempts');
    ctx.built.clock.advance(10 * 60_000 + 1000);
    publish('status.acme.test', `statusping-verify=${await tokenOf(path)}`);
    expect(await check(owner, path)).toContain('Domain verified');
  });

  it('the API shows the status and the token while pending, and the domain URL once verified', async () => {
    const owner = await business('owner');
    const path = await settingsPath(owner);
    await owner.post(path, { ...base, custom_domain: 'status.acme.test' });
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'bot', 'read'));
    const token = await tokenOf(path);
    const [pending] = (await api.get('/pages')).json.data;
    expect(pending).toMatchObject({ custom_domain: 'status.acme.test', custom_domain_status: 'pending', custom_domain_token: token });
    expect(pending.url).toMatch(/^http:\/\/statusping\.test\/s\//);
    publish('status.acme.test', `statusping-verify=${token}`);
    await check(owner, path);
    const verified = (await api.get(`/pages/${pending.id}`)).json;
    expect(verified).toMatchObject({ custom_domain_status: 'verified', custom_domain_token: null, url: 'https://status.acme.test/' });
  });

  it('self-hosted, the domain is verified at once and served, with the CNAME still shown', async () => {
    const selfHosted = buildApp(ctx.t.db, { BASE_URL: 'http://statusping.test' });
    const owner = await persona(selfHosted.app, 'owner');
    const path = await settingsPath(owner);
    expect((await owner.post(path, { ...base, custom_domain: 'status.acme.test' })).status).toBe(303);
    const settings = await (await owner.get(path)).text();
    expect(settings).toMatch(/data-testid="domain-status">Verified</);
    expect(settings).toMatch(/<td[^>]*>CNAME<\/td><td[^>]*>status\.acme\.test<\/td><td[^>]*>statusping\.test<\/td>/);
    expect(settings).not.toContain('_statusping.');
    const page = await selfHosted.app.request('http://status.acme.test/', { headers: { host: 'status.acme.test' } });
    expect(page.status).toBe(200);
  });
});
