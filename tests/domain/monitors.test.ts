import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import { createMonitor, deleteMonitor, getMonitor, updateMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { NotFoundError, PlanLimitError, ValidationError } from '../../src/lib/errors.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, SAAS, SELF_HOSTED, TEST_EVENTS } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('monitors service on %s', (kind) => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 20));
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());
  const input = (over: Record<string, unknown> = {}) => ({ name: 'Site', url: 'https://example.com', interval_seconds: 300, ...over });

  it('free plan: refuses intervals under 300 s and a 6th monitor, naming plan and limit', async () => {
    const { account } = await makeAccount(t.db);
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SAAS };
    await expect(createMonitor(deps, account.id, input({ interval_seconds: 60 }))).rejects.toThrow(
      'The Free plan allows intervals of 300 seconds or more.',
    );
    for (let i = 0; i < 5; i++) await createMonitor(deps, account.id, input({ name: `m${i}` }));
    const err = await createMonitor(deps, account.id, input()).catch((e) => e);
    expect(err).toBeInstanceOf(PlanLimitError);
    expect(err.message).toMatch(/Free plan allows at most 5 monitors/);
  });

  it('pro plan allows 60 s; editing below the plan minimum is refused', async () => {
    const { account } = await makeAccount(t.db);
    await setPlan(t.db, account.id, 'pro');
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SAAS };
    const m = await createMonitor(deps, account.id, input({ interval_seconds: 60 }));
    expect(m.intervalSeconds).toBe(60);
    await expect(updateMonitor(deps, account.id, m.id, input({ interval_seconds: 30 }))).rejects.toThrow(/Pro plan allows intervals of 60/);
    expect((await getMonitor(deps, account.id, m.id)).intervalSeconds).toBe(60);
  });

  it('self-hosted: no monitor limit, minimum interval from MIN_INTERVAL_SECONDS', async () => {
    const { account } = await makeAccount(t.db);
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SELF_HOSTED };
    for (let i = 0; i < 8; i++) await createMonitor(deps, account.id, input({ interval_seconds: 10 }));
    await expect(createMonitor(deps, account.id, input({ interval_seconds: 5 }))).rejects.toThrow(/self-hosted instance allows intervals of 10 seconds/);
  });

  it('50 concurrent creations never exceed the plan limit', async () => {
    const { account } = await makeAccount(t.db);
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SAAS };
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => createMonitor(deps, account.id, input({ name: `c${i}` }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => r.reason instanceof PlanLimitError)).toBe(true);
    const n = await t.db.selectFrom('monitors').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', account.id).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(5);
  });

  it('another account’s monitor is not found and stays unchanged', async () => {
    const { account: a } = await makeAccount(t.db);
    const { account: b } = await makeAccount(t.db);
    const deps = { events: TEST_EVENTS, db: t.db, clock, policy: SELF_HOSTED };
    const m = await createMonitor(deps, a.id, input());
    await expect(getMonitor(deps, b.id, m.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateMonitor(deps, b.id, m.id, input({ name: 'hacked' }))).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteMonitor(deps, b.id, m.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getMonitor(deps, a.id, m.id)).name).toBe('Site');
  });

  it('invalid input is a validation error with field messages', async () => {
    const { account } = await makeAccount(t.db);
    const err = await createMonitor({ events: TEST_EVENTS, db: t.db, clock, policy: SELF_HOSTED }, account.id, { name: '', url: 'nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(Object.keys(err.fields)).toEqual(expect.arrayContaining(['name', 'url', 'interval_seconds']));
  });
});
