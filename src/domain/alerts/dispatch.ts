import type { Kysely } from 'kysely';
import type { Db } from '../../db/create-db.ts';
import type { Database } from '../../db/schema.ts';
import { writeTx } from '../../db/tx.ts';
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
  const error = outcome.error ?? 'failed';
  const next = outcome.ok
    ? { status: 'sent' as const, attempts: attemptNo, sent_at: now, last_error: null }
    : outcome.permanent || !opts.retry || attemptNo >= MAX_ATTEMPTS
      ? { status: 'failed' as const, attempts: attemptNo, last_error: error }
      : { status: 'pending' as const, attempts: attemptNo, next_attempt_at: now + retryDelay(attemptNo, deps.random), last_error: error };
  // The log line and the outcome are one write: a crash leaves both or neither.
  await writeTx(deps.db as Db, async (trx) => {
    await outbox.logDelivery(trx, {
      outboxId: row.id, accountId: row.account_id, channelId: row.channel_id, attempt: attemptNo, at: now,
      ok: outcome.ok, response: outcome.response, error: outcome.error,
    });
    await outbox.finishAttempt(trx, row.id, row.claimed_until, next);
  });
  if (outcome.gone && channel && channel.disabledAt === null) {
    const reason = 'The receiver answered 410 Gone, asking us to stop sending.';
    await channels.disable(deps.db, channel.id, reason, now);
    await deps.onChannelDisabled?.({ id: channel.id, accountId: channel.accountId, name: channel.name }, reason);
  }
  return outcome;
}
