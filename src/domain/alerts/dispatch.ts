import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { AlertEvent } from './alerts.ts';
import { PLUGINS } from './channels/index.ts';
import * as channels from './channels.repository.ts';
import { deliver, type DeliveryDeps, type DeliveryOutcome } from './deliver.ts';
import * as outbox from './outbox.repository.ts';

type DbLike = Kysely<Database>;

export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 20 * 60_000;

/**
 * Exponential backoff with full jitter: a random delay up to 30 s · 2^(n-1), capped at
 * 20 min. Eight attempts spread over about an hour at most.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
}

export interface SendDeps {
  db: DbLike;
  now: () => number;
  delivery: DeliveryDeps;
  random?: () => number;
  /** Called when a receiver answers 410 Gone and its channel is disabled. */
  onChannelDisabled?: (channel: { id: number; accountId: number; name: string }, reason: string) => Promise<void>;
}

/**
 * One attempt of one claimed outbox row:
 * 1. load the channel (deleted or disabled → the row fails at once);
 * 2. render the frozen event with the channel's plugin and deliver it within the deadline;
 * 3. log the attempt, then mark the row sent, failed (permanent error or last attempt) or
 *    due again after a jittered backoff. A 410 Gone also disables the channel.
 * `retry: false` is for test messages, which are tried once.
 */
export async function attempt(
  deps: SendDeps,
  row: outbox.OutboxRow,
  opts: { retry: boolean; allowDisabled?: boolean } = { retry: true },
): Promise<DeliveryOutcome> {
  const attemptNo = row.attempts + 1;
  const channel = await channels.findById(deps.db, row.channel_id);
  let outcome: DeliveryOutcome;
  if (!channel || (channel.disabledAt !== null && !opts.allowDisabled)) {
    outcome = { ok: false, response: null, error: channel ? `Channel disabled: ${channel.disabledReason ?? ''}`.trim() : 'Channel deleted', permanent: true, gone: false };
  } else {
    const event = JSON.parse(row.payload) as AlertEvent;
    const message = PLUGINS[channel.kind].render(event, channel.config, {
      idempotencyKey: row.idempotency_key,
      timestamp: Math.floor(deps.now() / 1000),
      providers: deps.delivery.providers,
    });
    outcome = await deliver(message, deps.delivery);
  }
  const now = deps.now();
  await outbox.logDelivery(deps.db, {
    outboxId: row.id,
    accountId: row.account_id,
    channelId: row.channel_id,
    attempt: attemptNo,
    at: now,
    ok: outcome.ok,
    response: outcome.response,
    error: outcome.error,
  });
  if (outcome.ok) {
    await outbox.markSent(deps.db, row.id, attemptNo, now);
  } else if (outcome.permanent || !opts.retry || attemptNo >= MAX_ATTEMPTS) {
    await outbox.markFailed(deps.db, row.id, attemptNo, outcome.error ?? 'failed');
  } else {
    await outbox.scheduleRetry(deps.db, row.id, attemptNo, now + retryDelay(attemptNo, deps.random), outcome.error ?? 'failed');
  }
  if (outcome.gone && channel && channel.disabledAt === null) {
    const reason = 'The receiver answered 410 Gone, asking us to stop sending.';
    await channels.disable(deps.db, channel.id, reason, now);
    await deps.onChannelDisabled?.({ id: channel.id, accountId: channel.accountId, name: channel.name }, reason);
  }
  return outcome;
}
