import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import { type AlertContext, enqueueMonitorEvent, FLAP_MAX_CHANGES, FLAP_WINDOW_MS } from '../alerts/enqueue.ts';
import { maintenanceFor } from '../alerts/maintenance.ts';
import type { DomainEventHub } from '../events.ts';
import * as incidents from '../incidents/incidents.repository.ts';
import type { AfterResult } from './after-result.ts';
import * as repo from './checks.repository.ts';
import * as state from './monitor-state.repository.ts';
import type { ProbeResult } from './probes/probe.ts';
import { nextState, type Transition } from './state-machine.ts';

/** What recording a result needs besides the database: alert settings and the event hub. */
export interface RecordContext {
  alerts: AlertContext;
  /** Status pages follow incidents through it (see src/runtime/events.ts). */
  events: DomainEventHub;
  /** Check node recorded with the result; null or 'local' = this instance. */
  region?: string | null;
  /** The type's afterResult for this result (see after-result.ts), run last in the transaction. */
  after?: AfterResult;
}

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
 *    monitor changes state too often, in the same transaction;
 * 6. run the type's afterResult (certificate warnings, a journey's screenshot), if given.
 * Returns null when the result was discarded.
 */
export async function recordResult(db: Db, monitorId: number, result: ProbeResult, checkedAt: number, ctx: RecordContext): Promise<RecordOutcome | null> {
  const region = ctx.region ?? null;
  return writeTx(db, async (trx) => {
    const m = await state.monitorToJudge(trx, monitorId);
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
    const { state: next, transition } = inMaintenance ? { state: prev, transition: 'none' as const } : nextState(prev, result.ok, m.failureThreshold, slow);
    await state.saveCheckState(trx, monitorId, {
      status: next.status,
      consecutiveFailures: next.consecutiveFailures,
      at,
      ok: result.ok,
      statusCode: result.statusCode,
      responseMs: result.responseMs,
      error: result.error,
    });

    const incident = await followIncident(trx, ctx.events, m, transition, { at, failures: next.consecutiveFailures, error: result.error });
    await alertChange(trx, ctx.alerts, m, { incident, transition, status: next.status, at });
    await ctx.after?.(trx, at);
    return { transition, status: next.status, consecutiveFailures: next.consecutiveFailures, checkedAt: at, inMaintenance };
  });
}

type IncidentRef = { id: number; startedAt: number; resolvedAt: number | null; cause: string };

/**
 * Step 4: opens the incident when the monitor went down, resolves it when it recovered, and
 * tells whoever follows incidents (status-page posts) in the same transaction. Returns the
 * incident the change is about, or null when nothing opened or closed.
 */
async function followIncident(
  trx: Trx,
  events: DomainEventHub,
  m: Pick<state.MonitorToJudge, 'id' | 'accountId'>,
  transition: Transition,
  v: { at: number; failures: number; error: string | null },
): Promise<IncidentRef | null> {
  const monitorId = m.id;
  if (transition === 'went_down') {
    // The outage began at the first failure of the streak, not at the one that crossed the threshold.
    const streak = await repo.recentResults(trx, monitorId, v.failures);
    const startedAt = Math.min(v.at, ...streak.map((r) => r.checkedAt));
    const cause = v.error ?? 'Check failed';
    const id = await incidents.open(trx, { accountId: m.accountId, monitorId, startedAt, cause });
    await events.emit(trx, 'incident.opened', { monitorId, incidentId: id, at: v.at });
    return { id, startedAt, resolvedAt: null, cause };
  }
  if (transition !== 'recovered') return null;
  const open = await incidents.findOpen(trx, monitorId);
  await incidents.resolveOpen(trx, monitorId, v.at);
  if (!open) return null;
  await events.emit(trx, 'incident.resolved', { monitorId, incidentId: open.id, at: v.at });
  return { id: open.id, startedAt: open.startedAt, resolvedAt: v.at, cause: open.cause };
}

/**
 * Step 5: the alerts for the change, unless the monitor flaps. Too many state changes within
 * the window start a flapping spell (one "flapping" alert, normal alerts held); a whole
 * window without changes ends it and says where the monitor settled.
 */
async function alertChange(
  trx: Trx,
  alerts: AlertContext,
  m: state.MonitorToJudge,
  c: { incident: IncidentRef | null; transition: Transition; status: string; at: number },
): Promise<void> {
  const ref = { id: m.id, accountId: m.accountId, name: m.name, url: m.url };
  const { incident, at } = c;
  if (incident) {
    if ((await incidents.stateChangesSince(trx, m.id, at - FLAP_WINDOW_MS)) > FLAP_MAX_CHANGES) {
      // Flapping: hold normal alerts, say so once per spell.
      if (m.flappingSince === null) {
        await state.setFlappingSince(trx, m.id, at);
        await enqueueMonitorEvent(trx, alerts, { monitor: ref, incident: null, event: 'flapping', at, keySuffix: String(at) });
      }
    } else if (m.flappingSince === null) {
      await enqueueMonitorEvent(trx, alerts, { monitor: ref, incident, event: c.transition === 'went_down' ? 'down' : 'up', at });
    }
    return;
  }
  if (m.flappingSince === null || (await incidents.stateChangesSince(trx, m.id, at - FLAP_WINDOW_MS)) !== 0) return;
  // Stable for a whole window: normal alerts resume.
  await state.setFlappingSince(trx, m.id, null);
  // Settled down: say so. Settled up: close the last outage where its down was sent.
  const open = c.status === 'down' ? await incidents.findOpen(trx, m.id) : undefined;
  const last = open ?? (await incidents.lastResolved(trx, m.id));
  if (!last) return;
  await enqueueMonitorEvent(trx, alerts, {
    monitor: ref,
    incident: { id: last.id, startedAt: last.startedAt, resolvedAt: open ? null : last.resolvedAt, cause: last.cause },
    event: open ? 'down' : 'up',
    at,
  });
}
