import { Cron } from 'croner';
import type { Db } from '../db/create-db.ts';
import type { PlanPolicy } from '../domain/billing/plans.ts';
import type { ProbeOptions } from '../domain/checks/probes/probe.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { pruneOnce } from './prune.ts';
import { runCheck } from './run-check.ts';
import { Scheduler } from './scheduler.ts';

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  policy: PlanPolicy;
  probe: ProbeOptions;
  concurrency: number;
  reconcileMs?: number;
}

export interface Worker {
  scheduler: Scheduler;
  stop(graceMs?: number): Promise<void>;
}

/** The check worker: the scheduler plus the daily prune job. Meets the web app only in the database. */
export async function startWorker(deps: WorkerDeps): Promise<Worker> {
  const scheduler = new Scheduler({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    concurrency: deps.concurrency,
    reconcileMs: deps.reconcileMs,
    check: (id, signal) => runCheck(deps, id, signal),
  });
  await scheduler.start();
  let pruning: Promise<void> | undefined;
  const prune = new Cron('17 3 * * *', { timezone: 'UTC', protect: true, catch: true }, async () => {
    pruning = pruneOnce(deps).then((removed) => deps.logger.info(removed, 'pruned old results'));
    await pruning;
  });
  return {
    scheduler,
    async stop(graceMs = 5000) {
      prune.stop();
      await scheduler.stop(graceMs);
      await pruning?.catch(() => undefined);
    },
  };
}
