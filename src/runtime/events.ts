import type { DomainEventHub, DomainEvents } from '../domain/events.ts';
import { placeNewPublicMonitor } from '../domain/statuspages/components.service.ts';
import { prepareOutageDrafts, settleOutagePosts } from '../domain/statuspages/posts.auto.ts';
import type { Trx } from '../db/tx.ts';
import { EventHub } from '../lib/events.ts';

/**
 * The domain's event hub with every subscriber registered: the one place that says who reacts
 * to what. Status pages follow monitors and checks here, so neither imports status pages:
 * 1. an incident opened prepares (or publishes) the outage posts of pages showing the monitor;
 * 2. an incident resolved settles those posts;
 * 3. a monitor made public joins the account's first page when it is on none.
 */
export function domainEvents(opts: { baseUrl: string }): DomainEventHub {
  return new EventHub<DomainEvents, Trx>()
    .on('incident.opened', (trx, e) => prepareOutageDrafts(trx, { monitorId: e.monitorId, incidentId: e.incidentId, at: e.at, baseUrl: opts.baseUrl }))
    .on('incident.resolved', (trx, e) => settleOutagePosts(trx, { incidentId: e.incidentId, at: e.at, baseUrl: opts.baseUrl }))
    .on('monitor.made_public', (trx, e) => placeNewPublicMonitor(trx, e.accountId, e.monitorId, e.at));
}
