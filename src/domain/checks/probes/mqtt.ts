import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient } from 'mqtt';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { messageOf, networkProblem, withoutSecrets } from './connection-errors.ts';
import { closeLater, closeWithin, since, underDeadline } from './connection-io.ts';
import { textSetting, trimmedSetting, urlSetting } from './connection-settings.ts';
import { tlsNames } from './connection-tls.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const MQTT_URL: UrlSpec = {
  protocol: 'MQTT',
  schemes: { mqtt: { port: 1883, tls: false }, mqtts: { port: 8883, tls: true } },
  example: 'mqtt://user:password@broker.example.com:1883',
  credentials: true,
  hints: {
    tcp: 'write mqtt:// instead',
    ssl: 'write mqtts:// instead',
    tls: 'write mqtts:// instead',
    ws: 'MQTT over WebSocket is not supported; use the broker’s mqtt:// port',
    wss: 'MQTT over WebSocket is not supported; use the broker’s mqtts:// port',
  },
};

/** Why an MQTT topic filter is invalid (MQTT 3.1.1 §4.7), or null. */
export function topicProblem(topic: string): string | null {
  if (topic.includes('\u0000')) return 'Topics cannot contain NUL characters';
  if (Buffer.byteLength(topic) > 65535) return 'Topics are at most 65535 bytes';
  const levels = topic.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) return '# must be the last level on its own, like sensors/#';
    if (l.includes('+') && l !== '+') return '+ must be a whole level on its own, like sensors/+/temperature';
  }
  return null;
}

const settings = z
  .object({
    url: urlSetting(MQTT_URL),
    password: textSetting(500, 'The password'),
    topic: trimmedSetting(1000, 'The topic').superRefine((t, ctx) => {
      const p = t ? topicProblem(t) : null;
      if (p) ctx.addIssue({ code: 'custom', message: p });
    }),
    expect: textSetting(1000, 'The expected text'),
    client_id: z.preprocess(
      (v) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? v.trim() : v),
      z
        .string({ message: 'The client ID prefix must be text' })
        .max(32, 'Keep the client ID prefix under 32 characters')
        .regex(/^[A-Za-z0-9_.-]*$/, 'Use letters, digits, dots, dashes and underscores in the client ID prefix')
        .default('statusping-'),
    ),
  })
  .superRefine((s, ctx) => {
    if (s.expect && !s.topic) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'Set a topic to subscribe to, where the expected text should arrive' });
  });

export type MqttSettings = z.output<typeof settings>;

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) in plain words. */
const CONNACK: Record<number, string> = {
  1: 'the broker does not support MQTT 3.1.1',
  2: 'the broker rejected the client ID',
  3: 'the broker is unavailable',
  4: 'Authentication failed: bad user name or password',
  5: 'Not authorized',
};

function describe(err: unknown, host: string, port: number): string {
  const net = networkProblem(err, host, port);
  if (net) return net;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && CONNACK[code]) {
    const words = CONNACK[code]!;
    return /^[A-Z]/.test(words) ? `${words} (the broker refused the connection)` : `Connection refused: ${words}`;
  }
  const msg = messageOf(err);
  if (/Bad username or password/i.test(msg)) return 'Authentication failed: bad user name or password (the broker refused the connection)';
  if (/Not authorized/i.test(msg)) return 'Not authorized (the broker refused the connection)';
  return `MQTT error: ${msg}`;
}

/** One check; `u` is the parsed URL. */
async function probeMqtt(s: MqttSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  let address: string;
  try {
    address = await connectAddress(ctx, u.host);
  } catch (err) {
    return blockedOrFailed(err, (e) => describe(e, u.host, u.port), since(started));
  }
  let step = `could not connect to ${hostPort(u.host, u.port)}`;
  let seen = 0;
  let fail: (e: unknown) => void = () => undefined;
  const client = new MqttClient(
    () => {
      const stream = u.tls
        ? tlsConnect({ host: address, port: u.port, ...tlsNames(u.host), ca: ctx.ca, rejectUnauthorized: true })
        : netConnect({ host: address, port: u.port });
      stream.on('error', (e) => fail(e));
      stream.once(u.tls ? 'secureConnect' : 'connect', () => (step = `no MQTT answer (CONNACK) from ${hostPort(u.host, u.port)}`));
      return stream;
    },
    {
      clientId: `${s.client_id}${randomBytes(4).toString('hex')}`,
      username: u.username || undefined,
      password: s.password || u.password || undefined,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: ctx.timeoutMs + 1000, // ours is the deadline; this only frees a stuck socket
      keepalive: Math.max(10, Math.ceil(ctx.timeoutMs / 1000) + 5),
      resubscribe: false,
    },
  );
  const work = new Promise<void>((resolve, reject) => {
    fail = reject;
    client.on('error', reject);
    client.on('close', () => reject(new Error(`the broker closed the connection (${step})`)));
    client.on('message', (_topic, payload) => {
      seen++;
      if (!s.expect || payload.toString('utf8').includes(s.expect)) resolve();
    });
    client.once('connect', () => {
      if (!s.topic) return resolve();
      step = s.expect ? `no message containing "${s.expect}" on ${s.topic}` : `no message on ${s.topic}`;
      client.subscribe(s.topic, { qos: 0 }, (err, granted) => {
        if (err) return reject(err);
        if (granted?.[0] && granted[0].qos === 128) reject(Object.assign(new Error(`Not authorized to subscribe to ${s.topic}`), { code: 'ESUBACK' }));
      });
    });
  });
  try {
    await underDeadline(ctx, work, () => (seen > 0 && s.expect ? `${step} (${seen} other message${seen === 1 ? '' : 's'})` : step), () => client.end(true));
    return { ok: true, statusCode: null, responseMs: since(started), error: null };
  } catch (err) {
    const e = err as { code?: string };
    return failed(e.code === 'ESUBACK' ? messageOf(err) : describe(err, u.host, u.port), since(started));
  } finally {
    client.removeAllListeners('message');
    client.on('error', () => undefined);
    // DISCONNECT when connected, then the socket closes; forced when the broker does not take it.
    closeLater(async () => {
      if (!(await closeWithin(new Promise<void>((r) => client.end(false, {}, () => r()))))) client.end(true);
      client.stream?.destroy();
    });
  }
}

export const mqttCheck = defineCheckType({
  type: 'mqtt',
  label: 'MQTT',
  description: 'Connects to an MQTT broker and logs in; optionally subscribes to a topic and expects a message, or one containing a keyword, within the timeout.',
  settings,
  fields: {
    url: { label: 'Broker URL', input: 'url', required: true, placeholder: MQTT_URL.example, help: 'mqtt:// or mqtts:// (TLS), with the user name and password if the broker needs them.' },
    password: { label: 'Password', input: 'secret', help: 'Optional: used instead of a password in the URL.' },
    topic: { label: 'Topic', input: 'text', placeholder: 'sensors/+/status', help: 'Optional: subscribe to this topic (wildcards allowed) and expect a message, retained or live, within the timeout.' },
    expect: { label: 'Expected text', input: 'text', placeholder: 'online', help: 'Optional: a message on the topic must contain this text.' },
    client_id: { label: 'Client ID prefix', input: 'text', placeholder: 'statusping-', help: 'Random characters are added, so checks never take over each other’s session.' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => displayUrl(s.url, MQTT_URL, { path: false }) + (s.topic ? ` topic ${s.topic}` : ''),
  hosts: (s) => urlHosts(s.url, MQTT_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, MQTT_URL);
    if (typeof u === 'string') return failed(u);
    return withoutSecrets(await probeMqtt(s, u, ctx), [u.password, s.password]);
  },
});
