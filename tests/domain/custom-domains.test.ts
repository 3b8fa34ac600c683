import { Migrator, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { migrate } from '../../src/db/migrate.ts';
import { isPostgres, isUniqueViolation } from '../../src/db/dialect.ts';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import type { AuditBy } from '../../src/domain/audit/audit.repository.ts';
import type { PlanPolicy } from '../../src/domain/billing/plans.ts';
import { checkPageDomain } from '../../src/domain/statuspages/domains.service.ts';
import { pageForDomain } from '../../src/domain/statuspages/page-access.ts';
import { createPage, updatePage } from '../../src/domain/statuspages/pages.service.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { lookupTxt } from '../../src/lib/dns-txt.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SAAS, SELF_HOSTED } from '../helpers/fixtures.ts';

const zone: Record<string, Record<string, unknown[]>> = {};
let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer(zone, { silent: ['_statusping.slow.example.test'] });
});
afterAll(() => dns.close());
beforeEach(() => {
  for (const k of Object.keys(zone)) delete zone[k];
});

const base = { title: 'Acme status', bar_days: '90', accent: '#4f46e5', theme: 'auto' };

describe('TXT lookups through the configured resolver', () => {
  it('joins the strings of each record, tells "none" from a failure, and gives up at the deadline', async () => {
    zone['_statusping.a.example.test'] = { TXT: [['statusping-verify=', 'abc'], ['other']] };
    const opts = { resolver: dns.address, timeoutMs: 2000 };
    expect(await lookupTxt('_statusping.a.example.test', opts)).toEqual({ kind: 'records', values: ['statusping-verify=abc', 'other'] });
    expect(await lookupTxt('_statusping.missing.example.test', opts)).toEqual({ kind: 'none' });
    const started = Date.now();
    const slow = await lookupTxt('_statusping.slow.example.test', { resolver: dns.address, timeoutMs: 300 });
    expect(slow).toEqual({ kind: 'error', message: 'the resolver did not answer in time' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe.each(testDbKinds())('custom domain verification on %s', (kind) => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
  const by: AuditBy = { actor: { system: 'test' } };
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  const deps = (policy: PlanPolicy = SAAS) => ({ db: t.db, clock, policy, ownHost: 'statusping.example.org', resolver: dns.address, timeoutMs: 2000 });

  async function businessPage() {
    const signed = await makeAccount(t.db, clock);
    await setPlan(t.db, signed.account.id, 'business');
    const page = await t.db.selectFrom('status_pages').selectAll().where('account_id', '=', signed.account.id).executeTakeFirstOrThrow();
    return { accountId: signed.account.id, pageId: page.id, slug: page.slug };
  }
  const row = (pageId: number) => t.db.selectFrom('status_pages').selectAll().where('id', '=', pageId).executeTakeFirstOrThrow();
  const setDomain = (p: { accountId: number; pageId: number }, domain: string, policy: PlanPolicy = SAAS) =>
    updatePage(deps(policy), p.accountId, p.pageId, { ...base, custom_domain: domain }, by);
  const publish = (domain: string, ...values: string[]) => {
    zone[`_statusping.${domain}`] = { TXT: values.map((v) => [v]) };
  };
  const actions = async (accountId: number) =>
    (await t.db.selectFrom('audit_log').select(['action', 'details']).where('account_id', '=', accountId).orderBy('id').execute()).map((a) => `${a.action} ${a.details}`);

  it('setting or changing the domain issues a fresh token and makes it pending; saving it unchanged keeps the token', async () => {
    const p = await businessPage();
    await setDomain(p, 'Status.Acme.test');
    const first = await row(p.pageId);
    expect(first).toMatchObject({ custom_domain: 'status.acme.test', domain_verified_at: null, domain_claimed_at: clock.now() });
    expect(first.domain_token).toMatch(/^[0-9a-f]{32}$/);
    await setDomain(p, 'status.acme.test');
    expect((await row(p.pageId)).domain_token).toBe(first.domain_token);
    await setDomain(p, 'status2.acme.test');
    const changed = await row(p.pageId);
    expect(changed.domain_token).toMatch(/^[0-9a-f]{32}$/);
    expect(changed.domain_token).not.toBe(first.domain_token);
    await setDomain(p, '');
    expect(await row(p.pageId)).toMatchObject({ custom_domain: null, domain_token: null, domain_claimed_at: null });
    expect(await actions(p.accountId)).toEqual([
      'page.domain_claimed {"domain":"status.acme.test"}',
      'page.domain_removed {"domain":"status.acme.test"}',
      'page.domain_claimed {"domain":"status2.acme.test"}',
      'page.domain_removed {"domain":"status2.acme.test"}',
    ]);
  });

  it('a pending domain is not served; the right TXT record verifies it, is audited, and then it is', async () => {
    const p = await businessPage();
    await setDomain(p, 'status.acme.test');
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBeUndefined();
    const { domain_token } = await row(p.pageId);
    publish('status.acme.test', 'v=spf1 -all', `statusping-verify=${domain_token}`);
    clock.advance(60_000);
    expect(await checkPageDomain(deps(), p.accountId, p.pageId, by)).toEqual({ status: 'verified', domain: 'status.acme.test' });
    expect(await row(p.pageId)).toMatchObject({ domain_verified_at: clock.now(), domain_token: null, domain_check_result: null });
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBe(p.slug);
    expect((await actions(p.accountId)).at(-1)).toBe('page.domain_verified {"domain":"status.acme.test","method":"dns"}');
    // Checking again is harmless.
    expect((await checkPageDomain(deps(), p.accountId, p.pageId, by)).status).toBe('verified');
  });

  it('a different value, no record or a silent resolver leave it pending with a message saying what was found', async () => {
    const p = await businessPage();
    await setDomain(p, 'status.acme.test');
    const { domain_token } = await row(p.pageId);
    const none = await checkPageDomain(deps(), p.accountId, p.pageId, by);
    expect(none).toMatchObject({ status: 'pending' });
    expect(none.status === 'pending' && none.message).toContain('No TXT record found at _statusping.status.acme.test');

    publish('status.acme.test', 'statusping-verify=somebody-else');
    clock.advance(1000);
    const other = await checkPageDomain(deps(), p.accountId, p.pageId, by);
    expect(other.status === 'pending' && other.message).toBe(
      `The TXT record at _statusping.status.acme.test has a different value: "statusping-verify=somebody-else". It should be "statusping-verify=${domain_token}".`,
    );
    expect(await row(p.pageId)).toMatchObject({ domain_verified_at: null, domain_checked_at: clock.now(), domain_check_result: other.status === 'pending' ? other.message : '' });

    await setDomain(p, 'slow.example.test');
    const started = Date.now();
    const slow = await checkPageDomain({ ...deps(), timeoutMs: 300 }, p.accountId, p.pageId, by);
    expect(slow.status === 'pending' && slow.message).toBe('The DNS lookup of _statusping.slow.example.test failed: the resolver did not answer in time. Try again in a few minutes.');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await pageForDomain(t.db, 'slow.example.test', false)).toBeUndefined();
  });

  it('pending claims of one name coexist; the account that proves it keeps it and the others are released with a notice', async () => {
    const squatter = await businessPage();
    const owner = await businessPage();
    await setDomain(squatter, 'status.acme.test');
    await setDomain(owner, 'status.acme.test');
    expect((await row(squatter.pageId)).custom_domain).toBe('status.acme.test');
    const { domain_token } = await row(owner.pageId);
    publish('status.acme.test', `statusping-verify=${domain_token}`);
    // The squatter's token is not in DNS: its check fails, the owner's succeeds.
    expect((await checkPageDomain(deps(), squatter.accountId, squatter.pageId, by)).status).toBe('pending');
    expect((await checkPageDomain(deps(), owner.accountId, owner.pageId, by)).status).toBe('verified');
    expect(await row(squatter.pageId)).toMatchObject({ custom_domain: null, domain_token: null, domain_released: 'status.acme.test' });
    expect((await actions(squatter.accountId)).at(-1)).toBe('page.domain_released {"domain":"status.acme.test","reason":"another account verified it"}');
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBe(owner.slug);
    // Saving the settings dismisses the notice.
    await setDomain(squatter, '');
    expect((await row(squatter.pageId)).domain_released).toBeNull();
  });

  it('a fresh DNS proof takes a name from a page that verified it earlier (SaaS); self-hosted, the first claim keeps it', async () => {
    const before = await businessPage();
    const now = await businessPage();
    await setDomain(before, 'status.acme.test');
    publish('status.acme.test', `statusping-verify=${(await row(before.pageId)).domain_token}`);
    expect((await checkPageDomain(deps(), before.accountId, before.pageId, by)).status).toBe('verified');
    // The name changes hands: its new owner claims it (allowed while verified elsewhere) and proves it.
    await setDomain(now, 'status.acme.test');
    expect((await row(now.pageId)).domain_verified_at).toBeNull();
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBe(before.slug);
    expect((await checkPageDomain(deps(), now.accountId, now.pageId, by)).status).toBe('pending'); // DNS still has the old token
    publish('status.acme.test', `statusping-verify=${(await row(now.pageId)).domain_token}`);
    expect((await checkPageDomain(deps(), now.accountId, now.pageId, by)).status).toBe('verified');
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBe(now.slug);
    expect(await row(before.pageId)).toMatchObject({ custom_domain: null, domain_verified_at: null, domain_released: 'status.acme.test' });
    expect((await actions(before.accountId)).at(-1)).toBe('page.domain_released {"domain":"status.acme.test","reason":"another account verified it"}');

    const other = await businessPage();
    await expect(setDomain(other, 'status.acme.test', SELF_HOSTED)).rejects.toMatchObject({ fields: { custom_domain: 'Already used by another status page' } });
  });

  it('one account cannot claim a name twice, and another account’s page is not found', async () => {
    const p = await businessPage();
    const second = await createPage({ db: t.db, clock, policy: SAAS }, p.accountId, { title: 'Second', slug: 'second-page' });
    await setDomain(p, 'status.acme.test');
    await expect(setDomain({ accountId: p.accountId, pageId: second }, 'status.acme.test')).rejects.toMatchObject({ status: 422 });
    const outsider = await businessPage();
    await expect(checkPageDomain(deps(), outsider.accountId, p.pageId, by)).rejects.toMatchObject({ status: 404 });
    await expect(checkPageDomain(deps(), p.accountId, second, by)).rejects.toMatchObject({ status: 422, message: 'Set a custom domain first, then check its DNS' });
  });

  it('a claim of an account that left Business is not verified, even with the right record', async () => {
    const p = await businessPage();
    await setDomain(p, 'status.acme.test');
    publish('status.acme.test', `statusping-verify=${(await row(p.pageId)).domain_token}`);
    await setPlan(t.db, p.accountId, 'pro');
    const r = await checkPageDomain(deps(), p.accountId, p.pageId, by);
    expect(r.status === 'pending' && r.message).toContain('Business plan');
    expect((await row(p.pageId)).domain_verified_at).toBeNull();
  });

  it('self-hosted, a domain is verified at once (no token) and served', async () => {
    const signed = await makeAccount(t.db, clock);
    const page = await t.db.selectFrom('status_pages').select(['id', 'slug']).where('account_id', '=', signed.account.id).executeTakeFirstOrThrow();
    await setDomain({ accountId: signed.account.id, pageId: page.id }, 'status.acme.test', SELF_HOSTED);
    expect(await row(page.id)).toMatchObject({ custom_domain: 'status.acme.test', domain_token: null, domain_verified_at: clock.now() });
    expect(await pageForDomain(t.db, 'status.acme.test', true)).toBe(page.slug);
    expect((await actions(signed.account.id)).at(-1)).toBe('page.domain_verified {"domain":"status.acme.test","method":"self-hosted"}');
  });

  it('the upgrade keeps domains set before it verified; afterwards only verified names must be unique (and it rolls back)', async () => {
    const schema = isPostgres(t.db) ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.db)).rows[0]?.s : undefined;
    const migrator = new Migrator({ db: t.db, provider: { getMigrations: async () => migrations }, migrationTableSchema: schema });
    expect((await migrator.migrateTo('20261122_016_account_lifecycle')).error).toBeUndefined();
    const a = await businessPage();
    const b = await businessPage();
    await sql`update status_pages set custom_domain = 'old.acme.test' where id = ${a.pageId}`.execute(t.db);
    expect(await migrate(t.db)).toEqual(['20261122_017_domain_verification']);
    const old = await row(a.pageId);
    expect(old.domain_verified_at).toBe(old.created_at);
    expect(await pageForDomain(t.db, 'old.acme.test', false)).toBe(a.slug);

    await t.db.updateTable('status_pages').set({ custom_domain: 'new.acme.test', domain_verified_at: null }).where('id', 'in', [a.pageId, b.pageId]).execute();
    const bothVerified = await t.db.updateTable('status_pages').set({ domain_verified_at: clock.now() }).where('id', 'in', [a.pageId, b.pageId]).execute().catch((e: unknown) => e);
    expect(isUniqueViolation(bothVerified)).toBe(true);
    // Back down: pending claims go (so the old unique index fits), a verified one stays.
    await t.db.updateTable('status_pages').set({ domain_verified_at: clock.now() }).where('id', '=', a.pageId).execute();
    expect((await migrator.migrateTo('20261122_016_account_lifecycle')).error).toBeUndefined();
    const rows = await t.db.selectFrom('status_pages').select(['id', 'custom_domain']).where('id', 'in', [a.pageId, b.pageId]).orderBy('id').execute();
    expect(rows).toEqual([{ id: a.pageId, custom_domain: 'new.acme.test' }, { id: b.pageId, custom_domain: null }]);
  });
});
