import type { Db } from '../db/create-db.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import { afterResultOf } from '../domain/checks/after-result.ts';
import type { Monitor } from '../domain/monitors/monitors.ts';
import { type RecordContext, recordResult, type RecordOutcome } from '../domain/checks/checks.service.ts';
import { overdueResult } from '../domain/checks/heartbeat.service.ts';
import { CHECK_TYPES, probe } from '../domain/checks/probes/index.ts';
import type { ProbeOptions, ProbeResult } from '../domain/checks/probes/probe.ts';
import type { DomainEventHub } from '../domain/events.ts';
import * as monitors from '../domain/monitors/monitors.repository.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

export interface RunCheckDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  probe: ProbeOptions;
  alerts: AlertContext;
  events: DomainEventHub;
  /** Pause before a retry; tests set 0. Default: 250–750 ms. */
  retryPauseMs?: number;
  /** Check node recorded with each result; null = "local". */
  region?: string | null;
}

function recordContext(deps: RunCheckDeps): RecordContext {
  return { alerts: deps.alerts, events: deps.events, region: deps.region ?? null };
}

/**
 * What one run of a monitor's schedule came to, one shape for every case:
 * - recorded: a result was stored (with what it did to the monitor's state);
 * - skipped: nothing to record (a heartbeat whose ping is not overdue);
 * - gone: the monitor was deleted or paused, before the check or while it ran (then the
 *   result was discarded): the scheduler drops the job;
 * - aborted: shutdown interrupted the probe; the result says nothing about the target and
 *   is not stored.
 */
export type CheckRun =
  | ({ kind: 'recorded' } & RecordOutcome)
  | { kind: 'skipped'; reason: 'not_due' }
  | { kind: 'gone'; reason: 'deleted' | 'paused' | 'discarded' }
  | { kind: 'aborted'; reason: 'shutdown' };

const recorded = (o: RecordOutcome | null): CheckRun => (o ? { kind: 'recorded', ...o } : { kind: 'gone', reason: 'discarded' });

/** A failure is tried again (up to the monitor's retries) after a short jittered pause, so one lost packet does not count towards the threshold. */
async function probeWithRetries(deps: RunCheckDeps, m: Monitor, signal?: AbortSignal): Promise<ProbeResult> {
  let result = await probe(m, { ...deps.probe, signal });
  let attempts = 1;
  while (!result.ok && attempts <= m.retries && !signal?.aborted) {
    await pause(deps.retryPauseMs ?? 250 + Math.random() * 500, signal);
    if (signal?.aborted) break;
    result = await probe(m, { ...deps.probe, signal });
    attempts++;
  }
  return { ...result, attempts };
}

/** Probes one monitor and records the result. */
export async function runCheck(deps: RunCheckDeps, monitorId: number, signal?: AbortSignal): Promise<CheckRun> {
  const m = await monitors.findById(deps.db, monitorId);
  if (!m) return { kind: 'gone', reason: 'deleted' };
  if (m.isPaused) return { kind: 'gone', reason: 'paused' };
  const startedAt = deps.clock.now();
  if (m.type === 'heartbeat') {
    // Pings record their own results; the schedule only notices when one is overdue.
    const overdue = overdueResult(m, startedAt);
    if (!overdue) return { kind: 'skipped', reason: 'not_due' };
    return recorded(await recordResult(deps.db, monitorId, overdue, startedAt, recordContext(deps)));
  }
  const result = await probeWithRetries(deps, m, signal);
  if (signal?.aborted) return { kind: 'aborted', reason: 'shutdown' };
  // The type's side effects (certificate warnings, screenshots) commit with the result.
  const after = afterResultOf(CHECK_TYPES.get(m.type), m, result, deps.alerts);
  const outcome = await recordResult(deps.db, monitorId, result, startedAt, { ...recordContext(deps), after });
  if (!outcome) return recorded(null);
  if (outcome.transition !== 'none') {
    deps.logger.info({ monitorId, accountId: m.accountId, transition: outcome.transition, error: result.error }, `monitor ${outcome.transition === 'went_down' ? 'went down' : 'recovered'}`);
  }
  return recorded(outcome);
}
