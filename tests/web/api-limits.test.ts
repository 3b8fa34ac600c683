import { describe, expect, it } from 'vitest';
import { API_RATE } from '../../src/domain/apikeys/apikeys.ts';
import { MINUTE } from '../../src/lib/clock.ts';
import { buildApp, Client, persona, useAppPerTest } from '../helpers/app.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { testDbKinds } from '../helpers/env.ts';

const SAAS = { STRIPE_SECRET_KEY: 'sk_test_x' };

function rateHeaders(res: { headers: Headers }) {
  return ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map((h) => res.headers.get(h));
}

describe.each(testDbKinds())('API rate limits and plans on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function setPlan(client: { email: string }, plan: string) {
    const user = await ctx.t.db.selectFrom('users').select('id').where('email', '=', client.email).executeTakeFirstOrThrow();
    const m = await ctx.t.db.selectFrom('memberships').select('account_id').where('user_id', '=', user.id).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('accounts').set({ plan }).where('id', '=', m.account_id).execute();
  }

  it('a Business key gets 600 requests a minute, then 429 with Retry-After, and recovers when the clock moves on', async () => {
    const saas = buildApp(ctx.t.db, SAAS);
    const owner = await persona(saas.app, 'owner');
    await setPlan(owner, 'business');
    const api = apiClient(saas.app, await createKeyVia(owner, 'bot', 'read'));
    const first = await api.get('/monitors');
    expect(first.status).toBe(200);
    expect(rateHeaders(first)).toEqual([String(API_RATE.business), String(API_RATE.business - 1), '60']);
    for (let i = 1; i < API_RATE.business - 1; i++) await api.get('/alert-channels');
    saas.clock.advance(20_000);
    const last = await api.get('/monitors');
    expect(last.status).toBe(200);
    expect(rateHeaders(last)).toEqual([String(API_RATE.business), '0', '40']);

    const limited = await api.get('/monitors');
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(rateHeaders(limited)).toEqual([String(API_RATE.business), '0', '40']);
    // A second key of the same account has its own budget.
    const other = apiClient(saas.app, await createKeyVia(owner, 'other', 'read'));
    expect((await other.get('/monitors')).status).toBe(200);

    saas.clock.advance(40_000);
    const again = await api.get('/monitors');
    expect(again.status).toBe(200);
    expect(rateHeaders(again)).toEqual([String(API_RATE.business), String(API_RATE.business - 1), '60']);
  });

  it('self-hosted keys get the self-hosted limit', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await apiClient(ctx.built.app, await createKeyVia(owner)).get('/pages');
    expect(res.headers.get('ratelimit-limit')).toBe(String(API_RATE.selfHosted));
  });

  it('requests without a valid key are limited per client IP, and bad keys count too', async () => {
    const built = buildApp(ctx.t.db, { TRUST_PROXY: '1' });
    const from = (ip: string, auth?: string) =>
      built.app.request('/api/v1/monitors', { headers: { 'x-forwarded-for': ip, ...(auth ? { authorization: auth } : {}) } });
    for (let i = 0; i < API_RATE.anonymousPerIp; i++) {
      const res = await from('198.51.100.7', i % 2 ? 'Bearer sp_live_guessguessguessguessguess' : undefined);
      expect(res.status).toBe(401);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(API_RATE.anonymousPerIp - 1 - i));
    }
    const limited = await from('198.51.100.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
    // The public document is limited the same way; another address is not affected.
    expect((await built.app.request('/api/v1/openapi.json', { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(429);
    expect((await from('198.51.100.8')).status).toBe(401);
    built.clock.advance(MINUTE);
    expect((await from('198.51.100.7')).status).toBe(401);
  });

  it('on SaaS, Free and Pro accounts cannot create keys (402 with the reason); Business can; a downgrade stops its keys', async () => {
    const saas = buildApp(ctx.t.db, SAAS);
    const owner = await persona(saas.app, 'owner');
    const page = await (await owner.get('/settings/api-keys')).text();
    expect(page).toContain('does not include the API; API keys come with the Business plan.');
    const refused = await owner.post('/settings/api-keys', { name: 'x', scope: 'read' });
    expect(refused.status).toBe(402);
    expect(await refused.text()).toContain('The Free plan does not include the API');
    await setPlan(owner, 'pro');
    expect(await (await owner.post('/settings/api-keys', { name: 'x', scope: 'read' })).text()).toContain('The Pro plan does not include the API');
    expect(await ctx.t.db.selectFrom('api_keys').select('id').execute()).toEqual([]);

    await setPlan(owner, 'business');
    const key = await createKeyVia(owner, 'ok', 'write');
    const api = apiClient(saas.app, key);
    expect((await api.get('/monitors')).status).toBe(200);
    await setPlan(owner, 'free');
    const res = await api.get('/monitors');
    expect(res.status).toBe(402);
    expect(res.json.error).toEqual({ code: 'plan_limit', message: 'The Free plan does not include the API; API keys come with the Business plan.', details: {} });
    // The public document stays public whatever the key.
    expect((await api.get('/openapi.json')).status).toBe(200);
  });

  it('only admins and owners manage keys', async () => {
    const member = await persona(ctx.built.app, 'member');
    const user = await ctx.t.db.selectFrom('users').select('id').where('email', '=', member.email).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('memberships').set({ role: 'member' }).where('user_id', '=', user.id).execute();
    expect((await member.get('/settings/api-keys')).status).toBe(403);
    const res = await member.post('/settings/api-keys', { name: 'x', scope: 'write' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your role (member) cannot do this');
    expect(await ctx.t.db.selectFrom('api_keys').select('id').execute()).toEqual([]);
  });

  it('revoking another account’s key, or a key twice, is 404', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const key = await createKeyVia(owner);
    const row = await ctx.t.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow();
    expect((await outsider.post(`/settings/api-keys/${row.id}/revoke`)).status).toBe(404);
    expect((await apiClient(ctx.built.app, key).get('/monitors')).status).toBe(200);
    expect((await owner.post(`/settings/api-keys/${row.id}/revoke`, { _confirm: '1' })).status).toBe(303);
    expect((await owner.post(`/settings/api-keys/${row.id}/revoke`)).status).toBe(404);
    expect((await owner.post('/settings/api-keys', { name: '', scope: 'admin' })).status).toBe(422);
  });

  it('the login form’s lockout answers 429 with Retry-After and RateLimit fields', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const anon = new Client(ctx.built.app);
    for (let i = 0; i < 10; i++) expect((await anon.post('/login', { email: owner.email, password: 'wrong' })).status).toBe(401);
    const res = await anon.post('/login', { email: owner.email, password: 'wrong' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBe(15 * 60);
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(res.headers.get('ratelimit-reset')).toBe(String(15 * 60));
    expect(await res.text()).toContain('Too many attempts');
  });
});
