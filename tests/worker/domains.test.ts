import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import { pageForDomain } from '../../src/domain/statuspages/page-access.ts';
import { updatePage } from '../../src/domain/statuspages/pages.service.ts';
import { DAY, ManualClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { recheckDomains } from '../../src/worker/domains.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { type DnsServer, startDnsServer } from '../helpers/dns-server.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SAAS } from '../helpers/fixtures.ts';

const zone: Record<string, Record<string, unknown[]>> = {};
let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer(zone);
});
afterAll(() => dns.close());

describe.each(testDbKinds())('the pending-domain job on %s', (kind) => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
  beforeEach(async () => {
    t = await openTestDb(kind);
    for (const k of Object.keys(zone)) delete zone[k];
  });
  afterEach(() => t.close());

  async function claim(domain: string) {
    const { account } = await makeAccount(t.db, clock);
    await setPlan(t.db, account.id, 'business');
    const page = await t.db.selectFrom('status_pages').select(['id', 'slug']).where('account_id', '=', account.id).executeTakeFirstOrThrow();
    await updatePage({ db: t.db, clock, policy: SAAS }, account.id, page.id, { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto', custom_domain: domain }, { actor: { system: 'test' } });
    const { domain_token } = await t.db.selectFrom('status_pages').select('domain_token').where('id', '=', page.id).executeTakeFirstOrThrow();
    return { ...page, token: domain_token! };
  }
  const deps = () => ({ db: t.db, clock, policy: SAAS, logger: silentLogger, dnsVerifyResolver: dns.address });

  it('verifies a pending domain once its TXT record appears, and notes what it found before', async () => {
    const p = await claim('status.acme.test');
    clock.advance(10 * 60_000);
    expect(await recheckDomains(deps(), 2000)).toBe(0);
    const before = await t.db.selectFrom('status_pages').select(['domain_checked_at', 'domain_check_result']).where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(before.domain_checked_at).toBe(clock.now());
    expect(before.domain_check_result).toContain('No TXT record found');

    zone['_statusping.status.acme.test'] = { TXT: [[`statusping-verify=${p.token}`]] };
    clock.advance(10 * 60_000);
    expect(await recheckDomains(deps(), 2000)).toBe(1);
    expect(await pageForDomain(t.db, 'status.acme.test', false)).toBe(p.slug);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor']).where('action', '=', 'page.domain_verified').executeTakeFirstOrThrow();
    expect(audit).toEqual({ action: 'page.domain_verified', actor: 'DNS check' });
  });

  it('leaves claims older than a week to the "Check DNS now" button', async () => {
    const p = await claim('old.acme.test');
    zone['_statusping.old.acme.test'] = { TXT: [[`statusping-verify=${p.token}`]] };
    clock.advance(7 * DAY + 1);
    expect(await recheckDomains(deps(), 2000)).toBe(0);
    const row = await t.db.selectFrom('status_pages').select(['domain_verified_at', 'domain_checked_at']).where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ domain_verified_at: null, domain_checked_at: null });
  });
});
