import { browser } from './browser.ts';
import { dns } from './dns.ts';
import { heartbeat } from './heartbeat.ts';
import { http } from './http.ts';
import { ping } from './ping.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';
import { type CheckTypeRegistry, createRegistry } from './registry.ts';
import { tcp } from './tcp.ts';
import { tls } from './tls.ts';

export { httpTarget } from './http-settings.ts';

/**
 * Every check type, in the type chooser's order. Adding a type is its file under probes/
 * and one entry here (with its import); the type list, validation, API schema, OpenAPI,
 * form fields and probe dispatch all read this registry.
 */
export const CHECK_TYPES: CheckTypeRegistry = createRegistry([http, tcp, dns, tls, ping, heartbeat, browser]);

/** What probing reads of a monitor. */
export interface ProbeTarget {
  type: string;
  settings: Record<string, unknown>;
  timeoutMs: number;
}

/** Runs one check of the monitor's type. */
export function probe(m: ProbeTarget, opts: ProbeOptions, types: CheckTypeRegistry = CHECK_TYPES): Promise<ProbeResult> {
  const def = types.get(m.type);
  if (!def) return Promise.resolve({ ok: false, statusCode: null, responseMs: 0, error: `Unknown check type "${m.type}" (not in this version of StatusPing)` });
  return def.run(m.settings, { ...opts, timeoutMs: m.timeoutMs });
}
