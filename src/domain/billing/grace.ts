import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import { type Clock, DAY } from '../../lib/clock.ts';
import * as repo from './billing.repository.ts';
import { applyPlanIn, type PlanChange } from './plan-change.ts';
import type { PlanPolicy } from './plans.ts';

/** How long a paid account keeps its plan after a failed payment. */
export const GRACE_MS = 7 * DAY;

/** When the account moves to Free unless the card is updated. */
export function graceEndsAt(paymentFailedAt: number): number {
  return paymentFailedAt + GRACE_MS;
}

/**
 * Moves accounts whose grace period has run out to Free (the worker calls this every few
 * minutes). Each account is re-read inside its own transaction, so a payment that arrived
 * meanwhile (clearing payment_failed_at) wins.
 */
export async function expireGracePeriods(deps: { db: Db; clock: Clock; policy: PlanPolicy }): Promise<PlanChange[]> {
  if (deps.policy.selfHosted) return [];
  const cutoff = deps.clock.now() - GRACE_MS;
  const changes: PlanChange[] = [];
  for (const accountId of await repo.accountsPastGrace(deps.db, cutoff)) {
    const change = await writeTx(deps.db, async (trx) => {
      const account = await repo.findBilling(trx, accountId);
      if (!account || account.payment_failed_at === null || account.payment_failed_at > cutoff) return null;
      const c = await applyPlanIn(trx, deps.clock, deps.policy, accountId, 'free', 'payment_failed', { system: 'billing' });
      await repo.updateBilling(trx, accountId, { payment_failed_at: null });
      return c;
    });
    if (change) changes.push(change);
  }
  return changes;
}
