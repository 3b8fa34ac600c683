import { Agent } from 'undici';
import { guardedLookup } from './net-guard.ts';

const options = { keepAliveTimeout: 30_000, connect: { rejectUnauthorized: true } } as const;

/** Connection pools for outgoing requests to user-supplied URLs. */
export const openAgent = new Agent(options);
// The guard runs inside the connector, so it checks the address actually connected to.
export const guardedAgent = new Agent({ ...options, connect: { ...options.connect, lookup: guardedLookup as never } });

// For monitors that chose "ignore TLS errors" (self-signed internal services).
const insecureOpen = new Agent({ ...options, connect: { rejectUnauthorized: false } });
const insecureGuarded = new Agent({ ...options, connect: { rejectUnauthorized: false, lookup: guardedLookup as never } });

export function agentFor(blockPrivate: boolean, ignoreTls = false): Agent {
  if (ignoreTls) return blockPrivate ? insecureGuarded : insecureOpen;
  return blockPrivate ? guardedAgent : openAgent;
}
