import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { deliver, type DeliveryDeps, type DeliveryOutcome } from '../alerts/deliver.ts';
import { finishRow, SUBSCRIBER_QUEUE } from '../outbox/queue.repository.ts';
import { afterAttempt } from '../outbox/retry.ts';
import { unsubscribeUrl } from './links.ts';
import { renderConfirm, renderNotice } from './messages.ts';
import type { OutboxPayload } from './notify.ts';
import * as repo from './subscribers.repository.ts';

export interface NoticeDeps {
  db: Kysely<Database>;
  now: () => number;
  delivery: DeliveryDeps;
  random?: () => number;
  /** Public base URL of the instance, for the unsubscribe link. */
  baseUrl: string;
}

const fail = (error: string): DeliveryOutcome => ({ ok: false, response: null, error, permanent: true, gone: false });

/**
 * One attempt of one claimed subscriber_outbox row, with the alert outbox's rules:
 * 1. load the subscriber and its page (gone → the row fails at once; a notice for a
 *    subscriber who is not confirmed is never sent);
 * 2. render the email or signed webhook and deliver it within the deadline;
 * 3. mark the row sent, failed or due again after a jittered backoff (shared retry rules);
 * 4. a 410 Gone from a webhook receiver removes the subscriber.
 */
export async function attemptNotice(deps: NoticeDeps, row: repo.NoticeRow): Promise<DeliveryOutcome> {
  const attemptNo = row.attempts + 1;
  const sub = await repo.findById(deps.db, row.subscriber_id);
  const page = sub ? await repo.pageOf(deps.db, sub.page_id) : undefined;
  const payload = JSON.parse(row.payload) as OutboxPayload;
  let outcome: DeliveryOutcome;
  if (!sub || !page) outcome = fail('Subscriber removed');
  else if (payload.kind === 'notice' && sub.confirmed_at === null) outcome = fail('Subscriber has not confirmed');
  else {
    const target = { kind: sub.kind, address: sub.address, secret: sub.secret, unsubscribeUrl: unsubscribeUrl(deps.baseUrl, page.slug, sub) };
    const p = { title: page.title, url: `${deps.baseUrl}/s/${page.slug}` };
    const ctx = { idempotencyKey: row.idempotency_key, timestamp: Math.floor(deps.now() / 1000) };
    const msg = payload.kind === 'notice' ? renderNotice(payload.notice, p, target, ctx) : renderConfirm(payload.confirmUrl, p, target, { ...ctx, at: payload.at });
    outcome = await deliver(msg, deps.delivery);
  }
  const now = deps.now();
  await finishRow(deps.db, SUBSCRIBER_QUEUE, row.id, row.claimed_until, afterAttempt(outcome, attemptNo, now, { retry: true, random: deps.random }));
  // The receiver asks us to stop: the subscription ends (and its queued notices with it).
  if (outcome.gone && sub) await repo.remove(deps.db, sub.id);
  return outcome;
}
