import type { Finish } from './queue.repository.ts';

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

/**
 * What a row becomes after attempt number `attemptNo`: sent; failed (permanent error, no
 * retry wanted, or the last attempt); or due again after a jittered backoff.
 */
export function afterAttempt(
  outcome: { ok: boolean; error: string | null; permanent: boolean },
  attemptNo: number,
  now: number,
  opts: { retry: boolean; random?: () => number },
): Finish {
  if (outcome.ok) return { status: 'sent', attempts: attemptNo, sent_at: now, last_error: null };
  const error = outcome.error ?? 'failed';
  if (outcome.permanent || !opts.retry || attemptNo >= MAX_ATTEMPTS) return { status: 'failed', attempts: attemptNo, last_error: error };
  return { status: 'pending', attempts: attemptNo, next_attempt_at: now + retryDelay(attemptNo, opts.random), last_error: error };
}
