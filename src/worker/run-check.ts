import type { Db } from '../db/create-db.ts';
import { type AlertContext, enqueueMonitorEvent } from '../domain/alerts/enqueue.ts';
import type { Monitor } from '../domain/monitors/monitors.ts';
import { type RecordContext, recordResult, type RecordOutcome } from '../domain/checks/checks.service.ts';
import { overdueResult } from '../domain/checks/heartbeat.service.ts';
import { probe } from '../domain/checks/probes/index.ts';
import type { ProbeOptions } from '../domain/checks/probes/probe.ts';
import { saveScreenshot } from '../domain/checks/monitor-state.repository.ts';
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

/**
 * One warning per certificate per threshold: at 10 days left with thresholds 30,14,7,1 only
 * the "14" warning goes out (not 30 as well), and a renewed certificate starts afresh.
 */
async function warnExpiry(deps: RunCheckDeps, m: Monitor, cert: { daysLeft: number; validTo: number }, at: number) {
  const thresholds = (m.settings.warn_days ?? '30,14,7,1').split(',').map(Number).filter((n) => Number.isFinite(n));
  const crossed = thresholds.filter((d) => cert.daysLeft <= d).sort((a, b) => a - b)[0];
  if (crossed === undefined) return;
  await enqueueMonitorEvent(deps.db, deps.alerts, {
    monitor: { id: m.id, accountId: m.accountId, name: m.name, url: m.url },
    incident: null,
    event: 'tls_expiry',
    at,
    keySuffix: `${cert.validTo}:${crossed}`,
    cert,
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

/** Probes one monitor and records the result; 'gone' tells the scheduler to drop the job. */
export async function runCheck(deps: RunCheckDeps, monitorId: number, signal?: AbortSignal): Promise<RecordOutcome | 'gone' | 'aborted' | 'skipped'> {
  const m = await monitors.findById(deps.db, monitorId);
  if (!m || m.isPaused) return 'gone';
  const startedAt = deps.clock.now();
  if (m.type === 'heartbeat') {
    // Pings record their own results; the schedule only notices when one is overdue.
    const overdue = overdueResult(m, startedAt);
    if (!overdue) return 'skipped';
    return (await recordResult(deps.db, monitorId, overdue, startedAt, recordContext(deps))) ?? 'gone';
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
  const outcome = await recordResult(deps.db, monitorId, result, startedAt, recordContext(deps));
  if (!outcome) return 'gone';
  if (m.type === 'tls' && result.cert) await warnExpiry(deps, m, result.cert, startedAt);
  if (result.screenshot) await saveScreenshot(deps.db, m.id, startedAt, result.screenshot);
  if (outcome.transition !== 'none') {
    deps.logger.info({ monitorId, accountId: m.accountId, transition: outcome.transition, error: result.error }, `monitor ${outcome.transition === 'went_down' ? 'went down' : 'recovered'}`);
  }
  return outcome;
}
