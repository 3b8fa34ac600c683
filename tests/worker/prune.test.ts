import { TEST_CHECKS } from '../helpers/fixtures.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setPlan } from '../../src/domain/accounts/accounts.repository.ts';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { DAY, HOUR, ManualClock } from '../../src/lib/clock.ts';
import { pruneOnce } from '../../src/worker/prune.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, SAAS, SELF_HOSTED } from '../helpers/fixtures.ts';

describe.each(testDbKinds())('retention on %s', (kind) => {
  let t: TestDb;
  const now = Date.UTC(2026, 10, 20, 12);
  const clock = new ManualClock(now);
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  const ok = { ok: true, statusCode: 200, responseMs: 10, error: null };
  const count = async (id: number) =>
    Number((await t.db.selectFrom('check_results').select((eb) => eb.fn.countAll<number>().as('n')).where('monitor_id', '=', id).executeTakeFirstOrThrow()).n);

  it('keeps raw results per plan (free 24 h, pro 90 d) and keeps rollups', async () => {
    const { account: free } = await makeAccount(t.db);
    const { account: pro } = await makeAccount(t.db);
    await setPlan(t.db, pro.id, 'pro');
    const f = await makeMonitor(t.db, free.id, {}, SELF_HOSTED);
    const p = await makeMonitor(t.db, pro.id, {}, SELF_HOSTED);
    for (const m of [f, p]) {
      for (const age of [2 * HOUR, 2 * DAY, 30 * DAY, 100 * DAY]) await recordResult(t.db, m.id, ok, now - age, TEST_CHECKS);
    }
    const removed = await pruneOnce({ db: t.db, clock, policy: SAAS });
    expect(removed.results).toBe(3 + 1);
    expect(await count(f.id)).toBe(1);
    expect(await count(p.id)).toBe(3);
    const daily = await t.db.selectFrom('rollups_daily').select('bucket_start').where('monitor_id', '=', f.id).execute();
    expect(daily).toHaveLength(4);
  });

  it('self-hosted uses RETENTION_DAYS, and deletes in batches until done', async () => {
    const { account } = await makeAccount(t.db);
    const m = await makeMonitor(t.db, account.id);
    const old = Array.from({ length: 2500 }, (_, i) => ({ monitor_id: m.id, checked_at: now - 20 * DAY - i * 1000, ok: 1, status_code: 200, response_ms: 5, error: null }));
    for (let i = 0; i < old.length; i += 500) await t.db.insertInto('check_results').values(old.slice(i, i + 500)).execute();
    await recordResult(t.db, m.id, ok, now - 5 * DAY, TEST_CHECKS);
    const removed = await pruneOnce({ db: t.db, clock, policy: { ...SELF_HOSTED, retentionDays: 10 } });
    expect(removed.results).toBe(2500);
    expect(await count(m.id)).toBe(1);
  });
});
