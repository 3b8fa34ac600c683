import { Agent } from 'undici';
import type { NetGuard } from './net-guard.ts';

const options = { keepAliveTimeout: 30_000, connect: { rejectUnauthorized: true } } as const;

// Connection pools per guard: the guard runs inside the connector, so it checks the
// address actually connected to, on every connection and redirect hop.
const pools = new WeakMap<NetGuard, { strict: Agent; insecure: Agent }>();

/** The connection pool for outgoing requests to user-supplied URLs; `ignoreTls` for monitors that chose it (self-signed internal services). */
export function agentFor(guard: NetGuard, ignoreTls = false): Agent {
  let p = pools.get(guard);
  if (!p) {
    const lookup = guard.active ? (guard.lookup as never) : undefined;
    p = {
      strict: new Agent({ ...options, connect: { rejectUnauthorized: true, lookup } }),
      insecure: new Agent({ ...options, connect: { rejectUnauthorized: false, lookup } }),
    };
    pools.set(guard, p);
  }
  return ignoreTls ? p.insecure : p.strict;
}
