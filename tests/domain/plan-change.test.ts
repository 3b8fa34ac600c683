import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import { applyPlan } from '../../src/domain/billing/plan-change.ts';
import { createMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { pageForDomain } from '../../src/domain/statuspages/page-access.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SAAS, SELF_HOSTED, TEST_EVENTS } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('plan changes on %s', (kind) => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 20));
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  const monitors = (accountId: number) =>
    t.db.selectFrom('monitors').select(['id', 'type', 'is_paused', 'paused_reason', 'interval_s', 'updated_at']).where('account_id', '=', accountId).orderBy('id').execute();

  it('leaving Business pauses browser checks and stops serving the custom domain, keeping both; coming back restores them', async () => {
    const { account } = await makeAccount(t.db, clock);
    await setPlan(t.db, account.id, 'business');
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SAAS };
    const http = await createMonitor(deps, account.id, { name: 'API', url: 'https://example.com', interval_seconds: 60 });
    const journey = await createMonitor(deps, account.id, { type: 'browser', name: 'Login', url: 'https://example.com', interval_seconds: 300, steps: 'goto https://example.com' });
    // A domain verified earlier (the TXT flow itself is tested in custom-domains.test.ts).
    await t.db.updateTable('status_pages').set({ custom_domain: 'status.example.com', domain_verified_at: clock.now() }).where('account_id', '=', account.id).execute();
    expect(await pageForDomain(t.db, 'status.example.com', false)).toBeDefined();

    clock.advance(1000);
    const change = await applyPlan(t.db, clock, SAAS, account.id, 'pro', 'subscription');
    expect(change!.paused).toEqual([{ id: journey.id, name: 'Login' }]);
    expect(change!.featuresOff.join(' ')).toContain('custom domain is kept but no longer served');
    const rows = await monitors(account.id);
    expect(rows.find((r) => r.id === journey.id)).toMatchObject({ is_paused: 1, paused_reason: 'plan', updated_at: clock.now() });
    expect(rows.find((r) => r.id === http.id)).toMatchObject({ is_paused: 0, interval_s: 60 });
    expect(await pageForDomain(t.db, 'status.example.com', false)).toBeUndefined();
    expect(await pageForDomain(t.db, 'status.example.com', true)).toBeDefined(); // self-hosted: no plans
    expect((await t.db.selectFrom('status_pages').select('custom_domain').where('account_id', '=', account.id).executeTakeFirstOrThrow()).custom_domain).toBe('status.example.com');

    const back = await applyPlan(t.db, clock, SAAS, account.id, 'business', 'subscription');
    expect(back!.resumed).toEqual([{ id: journey.id, name: 'Login' }]);
    expect((await monitors(account.id)).every((r) => r.is_paused === 0)).toBe(true);
    expect(await pageForDomain(t.db, 'status.example.com', false)).toBeDefined();
    expect(await applyPlan(t.db, clock, SAAS, account.id, 'business', 'subscription')).toBeNull(); // no change, no audit entry
    const audit = await t.db.selectFrom('audit_log').select('action').where('account_id', '=', account.id).execute();
    expect(audit).toHaveLength(2);
  });

  it('a self-hosted instance changes the plan name only: nothing is paused or raised', async () => {
    const { account } = await makeAccount(t.db, clock);
    for (let i = 0; i < 7; i++) await createMonitor({ events: TEST_EVENTS, db: t.db, clock, policy: SELF_HOSTED }, account.id, { name: `m${i}`, url: 'https://example.com', interval_seconds: 10 });
    const change = await applyPlan(t.db, clock, SELF_HOSTED, account.id, 'pro', 'admin');
    expect(change).toMatchObject({ paused: [], raised: [] });
    expect((await monitors(account.id)).every((r) => r.is_paused === 0 && r.interval_s === 10)).toBe(true);
  });
});
