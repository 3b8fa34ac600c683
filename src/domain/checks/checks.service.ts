import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import * as incidents from '../incidents/incidents.repository.ts';
import * as monitors from '../monitors/monitors.repository.ts';
import * as repo from './checks.repository.ts';
import type { ProbeResult } from './probes/probe.ts';
import { nextState, type Transition } from './state-machine.ts';

export interface RecordOutcome {
  transition: Transition;
  status: string;
  consecutiveFailures: number;
  checkedAt: number;
}

/**
 * Stores one check result and everything that follows from it, in one transaction:
 * 1. re-read the monitor (it may have been paused or deleted while the check ran);
 * 2. insert the raw result and add it to the hourly and daily rollups;
 * 3. advance the state machine and save the monitor's last-check fields;
 * 4. open an incident on going down, close it on recovery.
 * Returns null when the result was discarded.
 */
export async function recordResult(db: Db, monitorId: number, result: ProbeResult, checkedAt: number): Promise<RecordOutcome | null> {
  return writeTx(db, async (trx) => {
    const m = await monitors.findById(trx, monitorId);
    if (!m || m.isPaused) return null;
    const stored = { monitorId, checkedAt, ok: result.ok, statusCode: result.statusCode, responseMs: result.responseMs, error: result.error };
    const at = await repo.insertResult(trx, stored);
    await repo.addToRollup(trx, 'rollups_hourly', stored);
    await repo.addToRollup(trx, 'rollups_daily', stored);

    const { state, transition } = nextState({ status: m.status, consecutiveFailures: m.consecutiveFailures }, result.ok, m.failureThreshold);
    await trx
      .updateTable('monitors')
      .set({
        status: state.status,
        consecutive_failures: state.consecutiveFailures,
        last_checked_at: at,
        last_ok: result.ok ? 1 : 0,
        last_status_code: result.statusCode,
        last_response_ms: result.responseMs,
        last_error: result.error,
      })
      .where('id', '=', monitorId)
      .execute();

    if (transition === 'went_down') {
      // The outage began at the first failure of the streak, not at the one that crossed the threshold.
      const streak = await repo.recentResults(trx, monitorId, state.consecutiveFailures);
      const startedAt = Math.min(at, ...streak.map((r) => r.checkedAt));
      await incidents.open(trx, { accountId: m.accountId, monitorId, startedAt, cause: result.error ?? 'Check failed' });
    } else if (transition === 'recovered') {
      await incidents.resolveOpen(trx, monitorId, at);
    }
    return { transition, status: state.status, consecutiveFailures: state.consecutiveFailures, checkedAt: at };
  });
}
