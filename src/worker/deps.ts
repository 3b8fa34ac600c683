import type { Db } from '../db/create-db.ts';
import type { DeliveryDeps } from '../domain/alerts/deliver.ts';
import type { AlertContext } from '../domain/alerts/enqueue.ts';
import type { PlanPolicy } from '../domain/billing/plans.ts';
import type { ProbeOptions } from '../domain/checks/probes/probe.ts';
import type { DomainEventHub } from '../domain/events.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';

/** What the worker's jobs are given (built in runtime/context.ts). */
export interface WorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  policy: PlanPolicy;
  probe: ProbeOptions;
  concurrency: number;
  reconcileMs?: number;
  alerts: AlertContext;
  /** Who follows what the checks change (status pages); see runtime/events.ts. */
  events: DomainEventHub;
  delivery: DeliveryDeps;
  dispatchPollMs?: number;
  region?: string;
  /** Resolver of custom-domain TXT checks (DNS_VERIFY_RESOLVER); unset = the system's. */
  dnsVerifyResolver?: string;
}
