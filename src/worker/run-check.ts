import type { Db } from '../db/create-db.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import { afterResultOf } from '../domain/checks/after-result.ts';
import { recordResult, type RecordOutcome } from '../domain/checks/checks.service.ts';
import { overdueResult } from '../domain/checks/heartbeat.service.ts';
import { CHECK_TYPES, probe } from '../domain/checks/probes/index.ts';
import type { ProbeOptions } from '../domain/checks/probes/probe.ts';
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
  /** Pause before a retry; tests set 0. Default: 250–750 ms. */
  retryPauseMs?: number;
  /** Check node recorded with each result; null = "local". */
  region?: string | null;
}

/** Probes one monitor and records the result; 'gone' tells the scheduler to drop the job. */
export async function runCheck(deps: RunCheckDeps, monitorId: number, signal?: AbortSignal): Promise<RecordOutcome | 'gone' | 'aborted' | 'skipped'> {
  const m = await monitors.findById(deps.db, monitorId);
  if (!m || m.isPaused) return 'gone';
  const startedAt = deps.clock.now();
  if (m.type === 'heartbeat') {
    // Pings record their own results; the schedule only notices when one is overdue.
    const overdue = overdueResult(m, startedAt);
    if (!overdue) return 'skipped';
    return (await recordResult(deps.db, monitorId, overdue, startedAt, deps.alerts, deps.region ?? null)) ?? 'gone';
  }
  // A failure is tried again (up to the monitor's retries) after a short jittered pause,
  // so one lost packet is not counted towards the threshold.
  let result = await probe(m, { ...deps.probe, signal });
  let attempts = 1;
  while (!result.ok && attempts <= m.retries && !signal?.aborted) {
    await pause(deps.retryPauseMs ?? 250 + Math.random() * 500, signal);
    if (signal?.aborted) break;
    result = await probe(m, { ...deps.probe, signal });
    attempts++;
  }
  // Aborted at shutdown: the result says nothing about the target, so it is not stored.
  if (signal?.aborted) return 'aborted';
  result = { ...result, attempts };
  // The type's side effects (certificate warnings, screenshots) commit with the result.
  const after = afterResultOf(CHECK_TYPES.get(m.type), m, result, deps.alerts);
  const outcome = await recordResult(deps.db, monitorId, result, startedAt, deps.alerts, deps.region ?? null, after);
  if (!outcome) return 'gone';
  if (outcome.transition !== 'none') {
    deps.logger.info({ monitorId, accountId: m.accountId, transition: outcome.transition, error: result.error }, `monitor ${outcome.transition === 'went_down' ? 'went down' : 'recovered'}`);
  }
  return outcome;
}
