import type { Trx } from '../db/tx.ts';
import type { EventHub } from '../lib/events.ts';

/**
 * What one domain context announces for others to react to, emitted inside the transaction
 * that made the change. The catalogue lives here, outside every context, and imports none,
 * so emitter and subscriber share it without importing each other; src/runtime/events.ts
 * registers the subscribers.
 */
export interface DomainEvents {
  /** checks: a monitor went down and its outage was opened as incident `incidentId`. */
  'incident.opened': { monitorId: number; incidentId: number; at: number };
  /** checks: the monitor recovered and incident `incidentId` was resolved at `at`. */
  'incident.resolved': { monitorId: number; incidentId: number; at: number };
  /** monitors: a monitor became public (created public, or switched from private). */
  'monitor.made_public': { accountId: number; monitorId: number; at: number };
}

export type DomainEventHub = EventHub<DomainEvents, Trx>;
