import type { Db } from '../../db/create-db.ts';
import * as repo from './subscribers.repository.ts';

/**
 * Something subscribers of a page hear about: a published incident update or a
 * maintenance notice. Written in the caller's transaction; the idempotency key makes a
 * repeated call harmless (one outbox row per subscriber and key).
 */
export interface SubscriberNotice {
  pageId: number;
  /** Components the post affects; subscribers limited to other components are skipped. Empty = everyone. */
  componentIds: number[];
  event: 'incident.created' | 'incident.updated' | 'incident.resolved' | 'maintenance.scheduled' | 'maintenance.started' | 'maintenance.updated' | 'maintenance.completed';
  /** Unique per notice, e.g. `post:12:update:34`. */
  key: string;
  subject: string;
  /** Markdown of the update. */
  body: string;
  /** Public URL of the post's own page. */
  url: string;
  at: number;
}

/** What a subscriber_outbox row carries: a notice, or the confirmation of a new subscription. */
export type OutboxPayload =
  | { kind: 'notice'; notice: SubscriberNotice }
  | { kind: 'confirm'; confirmUrl: string; at: number };

/** Whether a subscriber's component filter (JSON array, or null for all) lets the notice through. */
export function follows(componentIdsJson: string | null, noticeComponents: number[]): boolean {
  if (componentIdsJson === null || noticeComponents.length === 0) return true;
  let mine: unknown;
  try {
    mine = JSON.parse(componentIdsJson);
  } catch {
    return true; // an unreadable filter errs on the side of telling them
  }
  if (!Array.isArray(mine)) return true;
  return mine.some((id) => noticeComponents.includes(Number(id)));
}

/**
 * Queues the notice for every confirmed subscriber of the page who follows an affected
 * component; returns how many rows were added. Runs in the caller's transaction when given
 * one. The key `${notice.key}:sub:${id}` is unique, so a repeated call adds nothing.
 */
export async function enqueueSubscriberNotices(db: Db, notice: SubscriberNotice): Promise<number> {
  const subs = await repo.confirmedOfPage(db, notice.pageId);
  const payload = JSON.stringify({ kind: 'notice', notice } satisfies OutboxPayload);
  const rows = subs
    .filter((s) => follows(s.component_ids, notice.componentIds))
    .map((s) => ({
      page_id: notice.pageId,
      subscriber_id: s.id,
      event: notice.event,
      idempotency_key: `${notice.key}:sub:${s.id}`,
      payload,
      status: 'pending',
      attempts: 0,
      next_attempt_at: notice.at,
      claimed_until: null,
      last_error: null,
      created_at: notice.at,
      sent_at: null,
    }));
  return repo.enqueueNotices(db, rows);
}
