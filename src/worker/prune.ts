import type { Db } from '../db/create-db.ts';
import { deleteExpiredSessions, listPlans } from '../domain/accounts/accounts.repository.ts';
import { deleteExpiredTokens } from '../domain/accounts/user-tokens.repository.ts';
import { limitsFor, type PlanPolicy } from '../domain/billing/plans.ts';
import { pruneResults, pruneRollups } from '../domain/checks/checks.repository.ts';
import { monitorIdsOfAccount } from '../domain/checks/monitor-state.repository.ts';
import { type Clock, DAY } from '../lib/clock.ts';
import { CONFIRM_TTL_MS } from '../domain/subscribers/links.ts';
import { pruneUnconfirmed } from '../domain/subscribers/subscribers.repository.ts';

export interface PruneDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
}

const BATCH = 2000;
export const HOURLY_ROLLUP_KEEP_MS = 90 * DAY;
export const DAILY_ROLLUP_KEEP_MS = 400 * DAY;

const yieldToChecks = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Deletes raw results past each account's plan retention, a batch per monitor per
 * statement, yielding between statements so scheduled checks keep writing meanwhile.
 * Rollups outlive raw results: hourly for 90 days, daily for 400. Unconfirmed status-page
 * subscribers go after 7 days.
 */
export async function pruneOnce(deps: PruneDeps): Promise<{ results: number; rollups: number; subscribers: number }> {
  const now = deps.clock.now();
  let results = 0;
  for (const account of await listPlans(deps.db)) {
    const before = now - limitsFor(deps.policy, account.plan).retentionMs;
    const ids = await monitorIdsOfAccount(deps.db, account.id);
    for (const id of ids) {
      for (;;) {
        const n = await pruneResults(deps.db, [id], before, BATCH);
        results += n;
        await yieldToChecks();
        if (n < BATCH) break;
      }
    }
  }
  const rollups =
    (await pruneRollups(deps.db, 'rollups_hourly', now - HOURLY_ROLLUP_KEEP_MS)) +
    (await pruneRollups(deps.db, 'rollups_daily', now - DAILY_ROLLUP_KEEP_MS));
  await deleteExpiredSessions(deps.db, now);
  // Sign-ups nobody confirmed while the link worked will never be confirmed.
  const subscribers = await pruneUnconfirmed(deps.db, now - CONFIRM_TTL_MS);
  // Emailed links a week past expiry: long enough for a "this link has expired" page to mean it.
  await deleteExpiredTokens(deps.db, now - 7 * DAY);
  return { results, rollups, subscribers };
}
