import { Cron } from 'croner';
import { enqueueReminders } from '../domain/alerts/reminders.ts';
import { tickMaintenance } from '../domain/statuspages/posts.maintenance.ts';
import type { WorkerDeps } from './deps.ts';
import { Dispatcher } from './dispatch-outbox.ts';
import { recheckDomains } from './domains.ts';
import { endGracePeriods } from './grace.ts';
import { pruneOnce } from './prune.ts';
import { runCheck } from './run-check.ts';
import { Scheduler } from './scheduler.ts';

export type { WorkerDeps } from './deps.ts';

export interface Worker {
  scheduler: Scheduler;
  dispatcher: Dispatcher;
  stop(graceMs?: number): Promise<void>;
}

/**
 * The check worker: the scheduler, the outbox dispatcher, reminders every minute, maintenance
 * posts moved along their schedule every minute, grace periods and pending custom domains
 * every few minutes, and the daily prune. Meets the web app only in the database.
 */
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
  const dispatcher = new Dispatcher({ db: deps.db, clock: deps.clock, logger: deps.logger, delivery: deps.delivery, pollMs: deps.dispatchPollMs, baseUrl: deps.alerts.baseUrl });
  dispatcher.start();
  const reminders = new Cron('30 * * * * *', { protect: true, catch: true }, async () => {
    await enqueueReminders(deps.db, deps.alerts, deps.clock.now());
  });
  // Maintenance posts start and complete on the clock; subscribers hear it (idempotent per post and step).
  const maintenance = new Cron('45 * * * * *', { protect: true, catch: true }, async () => {
    await tickMaintenance({ db: deps.db, clock: deps.clock, baseUrl: deps.alerts.baseUrl });
  });
  // Grace periods after failed payments end here: cheap (one small query on accounts)
  // and reliable (no request needed), every five minutes.
  const grace = new Cron('45 */5 * * * *', { protect: true, catch: true }, async () => {
    await endGracePeriods(deps);
  });
  // Pending custom domains are looked up again every ten minutes during their first week.
  const domains = new Cron('15 */10 * * * *', { protect: true, catch: true }, async () => {
    await recheckDomains(deps);
  });
  let pruning: Promise<void> | undefined;
  const prune = new Cron('17 3 * * *', { timezone: 'UTC', protect: true, catch: true }, async () => {
    pruning = pruneOnce(deps).then((removed) => deps.logger.info(removed, 'pruned old results'));
    await pruning;
  });
  return {
    scheduler,
    dispatcher,
    async stop(graceMs = 5000) {
      prune.stop();
      reminders.stop();
      maintenance.stop();
      grace.stop();
      domains.stop();
      await scheduler.stop(graceMs);
      await dispatcher.stop(graceMs);
      await deps.probe.browsers?.close();
      await pruning?.catch(() => undefined);
    },
  };
}
