import { amqpCheck } from './amqp.ts';
import { browser } from './browser.ts';
import { dns } from './dns.ts';
import { grpcCheck } from './grpc.ts';
import { heartbeat } from './heartbeat.ts';
import { http } from './http.ts';
import { mqttCheck } from './mqtt.ts';
import { mysqlCheck } from './mysql.ts';
import { natsCheck } from './nats.ts';
import { ping } from './ping.ts';
import { postgresCheck } from './postgres.ts';
import type { CheckTypeDefinition } from './contract.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';
import { redisCheck } from './redis.ts';
import { type CheckTypeRegistry, createRegistry } from './registry.ts';
import { smtpCheck } from './smtp.ts';
import { tcp } from './tcp.ts';
import { tls } from './tls.ts';
import { websocketCheck } from './websocket.ts';

export { httpTarget } from './http-settings.ts';

/**
 * Every check type, in the type chooser's order. Adding a type is its file under probes/
 * and one entry here (with its import); the type list, validation, API schema, OpenAPI,
 * form fields and probe dispatch all read this registry.
 */
export const CHECK_TYPES: CheckTypeRegistry = createRegistry([
  http, tcp, dns, tls, ping, heartbeat, browser,
  postgresCheck, mysqlCheck, redisCheck, amqpCheck, mqttCheck, natsCheck, smtpCheck, websocketCheck, grpcCheck,
] as CheckTypeDefinition[]);

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
