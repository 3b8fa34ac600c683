import { connect } from 'node:net';
import { describeFetchError } from '../../../lib/fetch-error.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export interface TcpTarget {
  host: string;
  port: number;
  timeoutMs: number;
}

/** Opens a TCP connection within the timeout; the time to connect is the response time. */
export function tcpProbe(target: TcpTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const host = target.host.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ok, statusCode: null, responseMs: Math.round(performance.now() - started), error });
    };
    // Literal addresses skip the lookup, so the guard sees them here; names in the lookup.
    const refused = opts.guard.hostRefusal(host);
    if (refused) {
      resolve({ ok: false, statusCode: null, responseMs: 0, error: `Blocked: ${refused}` });
      return;
    }
    const socket = connect({ host, port: target.port, lookup: opts.guard.active ? (opts.guard.lookup as never) : undefined });
    const timer = setTimeout(() => finish(false, `Timeout: could not connect to ${host}:${target.port} within ${target.timeoutMs / 1000} s`), target.timeoutMs);
    const onAbort = () => finish(false, 'aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true, null));
    socket.once('error', (err) => {
      const msg = describeFetchError(err, host, false, target.timeoutMs);
      finish(false, msg.replace(/^Connection refused by (.*)$/, `Connection refused by $1:${target.port}`));
    });
  });
}
