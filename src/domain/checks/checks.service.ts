import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import { type AlertContext, enqueueMonitorEvent, FLAP_MAX_CHANGES, FLAP_WINDOW_MS } from '../alerts/enqueue.ts';
import { maintenanceFor } from '../alerts/maintenance.ts';
import * as incidents from '../incidents/incidents.repository.ts';
import * as monitors from '../monitors/monitors.repository.ts';
import { prepareOutageDrafts, settleOutagePosts } from '../statuspages/posts.auto.ts';
import * as repo from './checks.repository.ts';
import type { ProbeResult } from './probes/probe.ts';
import { nextState, type Transition } from './state-machine.ts';

export interface RecordOutcome {
  transition: Transition;
  status: string;
  consecutiveFailures: number;
  checkedAt: number;
  inMaintenance: boolean;
}

/**
 * Stores one check result and everything that follows from it, in one transaction:
 * 1. re-read the monitor (it may have been paused or deleted while the check ran);
 * 2. insert the raw result and add it to the hourly and daily rollups;
 * 3. advance the state machine and save the monitor's last-check fields; inside a
 *    maintenance window failures do not count (recoveries still do);
 * 4. open an incident on going down, close it on recovery, and prepare (or settle) the
 *    status-page posts about it;
 * 5. write the alerts for that change into the outbox, or one "flapping" alert when the
 *    monitor changes state too often, in the same transaction.
 * Returns null when the result was discarded.
 */
export async function recordResult(
  db: Db,
  monitorId: number,
  result: ProbeResult,
  checkedAt: number,
  alerts: AlertContext,
  region: string | null = null,
): Promise<RecordOutcome | null> {
  return writeTx(db, async (trx) => {
    const m = await monitors.findById(trx, monitorId);
    if (!m || m.isPaused) return null;
    const stored = {
      monitorId, checkedAt, ok: result.ok, statusCode: result.statusCode, responseMs: result.responseMs, error: result.error,
      attempts: result.attempts && result.attempts > 1 ? result.attempts : null,
      region: region && region !== 'local' ? region : null,
    };
    const at = await repo.insertResult(trx, stored);
    await repo.addToRollup(trx, 'rollups_hourly', stored);
    await repo.addToRollup(trx, 'rollups_daily', stored);

    const prev = { status: m.status, consecutiveFailures: m.consecutiveFailures };
    const inMaintenance = !result.ok && (await maintenanceFor(trx, monitorId, at)) !== null;
    const slow = result.ok && m.degradedMs !== null && result.responseMs > m.degradedMs;
    const { state, transition } = inMaintenance ? { state: prev, transition: 'none' as const } : nextState(prev, result.ok, m.failureThreshold, slow);
    await monitors.saveCheckState(trx, monitorId, {
      status: state.status,
      consecutiveFailures: state.consecutiveFailures,
      at,
      ok: result.ok,
      statusCode: result.statusCode,
      responseMs: result.responseMs,
      error: result.error,
    });

    const ref = { id: m.id, accountId: m.accountId, name: m.name, url: m.url };
    let incident: { id: number; startedAt: number; resolvedAt: number | null; cause: string } | null = null;
    if (transition === 'went_down') {
      // The outage began at the first failure of the streak, not at the one that crossed the threshold.
      const streak = await repo.recentResults(trx, monitorId, state.consecutiveFailures);
      const startedAt = Math.min(at, ...streak.map((r) => r.checkedAt));
      const cause = result.error ?? 'Check failed';
      incident = { id: await incidents.open(trx, { accountId: m.accountId, monitorId, startedAt, cause }), startedAt, resolvedAt: null, cause };
      await prepareOutageDrafts(trx, { monitorId, incidentId: incident.id, at, baseUrl: alerts.baseUrl });
    } else if (transition === 'recovered') {
      const open = await incidents.findOpen(trx, monitorId);
      await incidents.resolveOpen(trx, monitorId, at);
      if (open) {
        incident = { id: open.id, startedAt: open.startedAt, resolvedAt: at, cause: open.cause };
        await settleOutagePosts(trx, { incidentId: open.id, at, baseUrl: alerts.baseUrl });
      }
    }

    if (incident) {
      const changes = await incidents.stateChangesSince(trx, monitorId, at - FLAP_WINDOW_MS);
      if (changes > FLAP_MAX_CHANGES) {
        // Flapping: hold normal alerts, say so once per spell.
        if (m.flappingSince === null) {
          await trx.updateTable('monitors').set({ flapping_since: at }).where('id', '=', monitorId).execute();
          await enqueueMonitorEvent(trx, alerts, { monitor: ref, incident: null, event: 'flapping', at, keySuffix: String(at) });
        }
      } else if (m.flappingSince === null) {
        await enqueueMonitorEvent(trx, alerts, { monitor: ref, incident, event: transition === 'went_down' ? 'down' : 'up', at });
      }
    } else if (m.flappingSince !== null && (await incidents.stateChangesSince(trx, monitorId, at - FLAP_WINDOW_MS)) === 0) {
      // Stable for a whole window: normal alerts resume; if it settled down, say so now.
      await trx.updateTable('monitors').set({ flapping_since: null }).where('id', '=', monitorId).execute();
      // Settled down: say so. Settled up: close the last outage where its down was sent.
      const open = state.status === 'down' ? await incidents.findOpen(trx, monitorId) : undefined;
      const last = open ?? (await incidents.lastResolved(trx, monitorId));
      if (last) {
        await enqueueMonitorEvent(trx, alerts, {
          monitor: ref,
          incident: { id: last.id, startedAt: last.startedAt, resolvedAt: open ? null : last.resolvedAt, cause: last.cause },
          event: open ? 'down' : 'up',
          at,
        });
      }
    }
    return { transition, status: state.status, consecutiveFailures: state.consecutiveFailures, checkedAt: at, inMaintenance };
  });
}
