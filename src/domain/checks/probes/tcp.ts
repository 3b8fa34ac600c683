import { connect } from 'node:net';
import { z } from 'zod';
import { defineCheckType } from './contract.ts';
import { hostname, hostPort, port } from './fields.ts';
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

const settings = z.object({ host: hostname, port: port() });

export const tcp = defineCheckType({
  type: 'tcp',
  label: 'TCP port',
  description: 'Connects to a port within the timeout.',
  settings,
  fields: {
    host: { label: 'Host', input: 'text', required: true, placeholder: 'db.example.com' },
    port: { label: 'Port', input: 'number', required: true, min: 1, max: 65535 },
  },
  secrets: [],
  probed: true,
  target: (s) => `tcp://${hostPort(s.host, s.port)}`,
  summary: (s) => `TCP ${hostPort(s.host, s.port)}`,
  hosts: (s) => [s.host],
  run: (s, ctx) => tcpProbe({ host: s.host, port: s.port, timeoutMs: ctx.timeoutMs }, ctx),
});
