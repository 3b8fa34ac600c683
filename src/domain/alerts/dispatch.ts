import type { Kysely } from 'kysely';
import type { Db } from '../../db/create-db.ts';
import type { Database } from '../../db/schema.ts';
import { writeTx } from '../../db/tx.ts';
import type { AlertEvent } from './alerts.ts';
import { findChannelDef } from './channels/index.ts';
import * as channels from './channels.repository.ts';
import { deliver, type DeliveryDeps, type DeliveryOutcome } from './deliver.ts';
import * as outbox from './outbox.repository.ts';
import { afterAttempt } from '../outbox/retry.ts';
import { unverifiedMemberEmails } from '../accounts/accounts.repository.ts';
import type { ChannelDefinition, OutgoingMessage } from './channels/channel.ts';

type DbLike = Kysely<Database>;

export { MAX_ATTEMPTS, retryDelay } from '../outbox/retry.ts';

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
  const def = channel && findChannelDef(channel.kind);
  let outcome: DeliveryOutcome;
  if (!channel || (channel.disabledAt !== null && !opts.allowDisabled)) {
    outcome = { ok: false, response: null, error: channel ? `Channel disabled: ${channel.disabledReason ?? ''}`.trim() : 'Channel deleted', permanent: true, gone: false };
  } else if (!def) {
    outcome = { ok: false, response: null, error: `Unknown channel type "${channel.kind}"`, permanent: true, gone: false };
  } else {
    const message = render(def, channel.config, row, deps);
    outcome = typeof message === 'string'
      ? { ok: false, response: null, error: message, permanent: true, gone: false }
      : await deliverToVerified(deps, row.account_id, message);
  }
  const now = deps.now();
  const next = afterAttempt(outcome, attemptNo, now, { retry: opts.retry, random: deps.random });
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

/** The frozen event in the channel's native format, or why it cannot be built. */
function render(def: ChannelDefinition, config: Record<string, string>, row: outbox.OutboxRow, deps: SendDeps): OutgoingMessage | string {
  try {
    return def.render(JSON.parse(row.payload) as AlertEvent, config, {
      idempotencyKey: row.idempotency_key,
      timestamp: Math.floor(deps.now() / 1000),
      providers: deps.delivery.providers,
    });
  } catch (err) {
    // Settings an older version saved that this one refuses (a template variable gone): retrying cannot help.
    return `Cannot build the message: ${(err as Error).message}`;
  }
}

/**
 * Email goes only to proven addresses. The rule: an address that is the login of a member
 * of the channel's account who has not verified it is skipped (someone could have signed up
 * with an address that is not theirs); an address that is no member's login (a team mailbox
 * typed into the channel) is sent to as before. All recipients skipped = a permanent
 * failure whose reason is in the delivery log.
 */
async function deliverToVerified(deps: SendDeps, accountId: number, message: OutgoingMessage): Promise<DeliveryOutcome> {
  if (message.type !== 'mail') return deliver(message, deps.delivery);
  const unverified = new Set(await unverifiedMemberEmails(deps.db, accountId, message.to));
  if (unverified.size === 0) return deliver(message, deps.delivery);
  const skipped = `skipped ${[...unverified].join(', ')}: not verified yet (the user must follow the link emailed at sign-up)`;
  const to = message.to.filter((a) => !unverified.has(a.trim().toLowerCase()));
  if (to.length === 0) return { ok: false, response: null, error: `Not sent: ${skipped}`, permanent: true, gone: false };
  const outcome = await deliver({ ...message, to }, deps.delivery);
  return outcome.ok ? { ...outcome, response: `${outcome.response ?? 'sent'}; ${skipped}` } : { ...outcome, error: `${outcome.error}; ${skipped}` };
}
