import type { Trx } from '../../db/tx.ts';
import * as repo from './posts.repository.ts';
import { notifySubscribers } from './posts.service.ts';

/**
 * Drafts prepared from monitor outages, called inside the check transaction.
 *
 * Going down: for every status page with a component showing the monitor, one incident post
 * (title "<component> is down", major outage on that component, a neutral first update —
 * never the probe's error text, which may name internal addresses), linked to the outage by
 * page_incidents.incident_id. A page with auto_publish publishes it at once. The check
 * first, and the unique (page_id, incident_id) index behind it, keep retries and restarts
 * from preparing a second one.
 */
export async function prepareOutageDrafts(trx: Trx, v: { monitorId: number; incidentId: number; at: number; baseUrl: string }): Promise<number[]> {
  const created: number[] = [];
  for (const c of await repo.componentsOfMonitor(trx, v.monitorId)) {
    if (await repo.findByIncident(trx, c.pageId, v.incidentId)) continue;
    const title = `${c.name} is down`;
    const body = `We are investigating an outage of ${c.name}. More information will follow.`;
    const publishedAt = c.autoPublish ? v.at : null;
    const id = await repo.insertPost(trx, { accountId: c.accountId, pageId: c.pageId, kind: 'incident', title, state: 'investigating', publishedAt, at: v.at, incidentId: v.incidentId });
    await repo.replaceComponents(trx, id, new Map([[c.componentId, 'major_outage']]));
    const updateId = await repo.insertUpdate(trx, id, 'investigating', body, v.at);
    if (publishedAt !== null) {
      await notifySubscribers(trx, v.baseUrl, { id, pageId: c.pageId, title }, [c.componentId], { event: 'incident.created', state: 'investigating', key: `post:${id}:update:${updateId}`, body, at: v.at });
    }
    created.push(id);
  }
  return created;
}

/**
 * The monitor recovered: each post prepared from the outage and still open is resolved.
 * A draft stays a draft (marked resolved; the dashboard offers "publish anyway" or
 * "discard"); a published one gets a 'resolved' update, and subscribers hear it.
 */
export async function settleOutagePosts(trx: Trx, v: { incidentId: number; at: number; baseUrl: string }): Promise<void> {
  for (const row of await repo.openPostsOfIncident(trx, v.incidentId)) {
    if (row.state === 'resolved') continue;
    const body = 'This incident has been resolved: the service is operating normally again.';
    const updateId = await repo.insertUpdate(trx, row.id, 'resolved', body, v.at);
    await repo.updatePost(trx, row.id, { state: 'resolved', resolved_at: v.at, updated_at: v.at });
    if (row.published_at !== null) {
      const comps = await repo.componentsOf(trx, [row.id]);
      await notifySubscribers(trx, v.baseUrl, { id: row.id, pageId: row.page_id, title: row.title }, (comps.get(row.id) ?? []).map((c) => c.id), {
        event: 'incident.resolved',
        key: `post:${row.id}:update:${updateId}`,
        body,
        at: v.at,
      });
    }
  }
}
