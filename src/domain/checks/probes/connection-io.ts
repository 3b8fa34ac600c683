import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ProbeContext } from './contract.ts';
import { timeoutMessage } from './connection-errors.ts';

/*
 * Time and cleanup for the network check types: one deadline over the whole check, and
 * closing that is polite when the server answers and forced when it does not, so a finished
 * check leaves no socket open.
 */

export class CheckTimeout extends Error {
  readonly code = 'ETIMEOUT';
}

/**
 * Runs a check's work under one deadline (ctx.timeoutMs) and the abort signal. `what`
 * is asked at the moment the time is up, so the message names the step that was waiting
 * ("Timeout: no reply on health.ping within 5 s"); `cleanup` closes the client.
 */
export async function underDeadline<T>(ctx: Pick<ProbeContext, 'timeoutMs' | 'signal'>, work: Promise<T>, what: () => string, cleanup: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup();
      reject(new CheckTimeout(timeoutMessage(what(), ctx.timeoutMs)));
    }, ctx.timeoutMs);
    onAbort = () => {
      cleanup();
      reject(Object.assign(new Error('aborted'), { code: 'EABORTED' }));
    };
    if (ctx.signal?.aborted) onAbort();
    else ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined); // settled after the deadline: nobody is listening any more
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** Milliseconds since `started`, rounded, for responseMs. */
export function since(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Waits for a polite close (QUIT, DISCONNECT, connection.close) at most `ms`; true when it
 * finished (or failed: either way the server is done). Callers destroy the socket when it
 * did not, so a stuck server holds nothing.
 */
export async function closeWithin(closing: Promise<unknown> | undefined, ms = 1000): Promise<boolean> {
  if (!closing) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([closing.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a client after the result is known, without making the check wait for it: the
 * result stays within the timeout, and the polite close is bounded (closeWithin) with a
 * forced one after it, so nothing is left open.
 */
export function closeLater(close: () => Promise<unknown>): void {
  void close().catch(() => undefined);
}

/** How long a polite goodbye may take: what is left of the timeout, at least a moment, at most a second. */
export function closeBudget(timeoutMs: number, elapsedMs: number): number {
  return Math.min(1000, Math.max(50, timeoutMs - elapsedMs));
}

/** Destroys a socket and waits (briefly) until its handle is gone, so a finished check leaves nothing open. */
export async function closeSocket(socket: Duplex | undefined): Promise<void> {
  if (!socket || socket.closed) return;
  const closed = once(socket, 'close').catch(() => undefined);
  socket.destroy();
  await closeWithin(closed, 500);
}
