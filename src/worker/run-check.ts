import type { Db } from '../db/create-db.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import { recordResult, type RecordOutcome } from '../domain/checks/checks.service.ts';
import { httpProbe } from '../domain/checks/probes/http.ts';
import type { ProbeOptions } from '../domain/checks/probes/probe.ts';
import * as monitors from '../domain/monitors/monitors.repository.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

export interface RunCheckDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  probe: ProbeOptions;
  alerts: AlertContext;
}

/** Probes one monitor and records the result; 'gone' tells the scheduler to drop the job. */
export async function runCheck(deps: RunCheckDeps, monitorId: number, signal?: AbortSignal): Promise<RecordOutcome | 'gone' | 'aborted'> {
  const m = await monitors.findById(deps.db, monitorId);
  if (!m || m.isPaused) return 'gone';
  const startedAt = deps.clock.now();
  const result = await httpProbe(
    { url: m.url, method: m.method, expectedStatus: m.expectedStatus, keyword: m.keyword, timeoutMs: m.timeoutMs },
    { ...deps.probe, signal },
  );
  // Aborted at shutdown: the result says nothing about the target, so it is not stored.
  if (signal?.aborted) return 'aborted';
  const outcome = await recordResult(deps.db, monitorId, result, startedAt, deps.alerts);
  if (!outcome) return 'gone';
  if (outcome.transition !== 'none') {
    deps.logger.info({ monitorId, accountId: m.accountId, transition: outcome.transition, error: result.error }, `monitor ${outcome.transition === 'went_down' ? 'went down' : 'recovered'}`);
  }
  return outcome;
}
