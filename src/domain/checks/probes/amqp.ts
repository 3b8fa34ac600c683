import amqp from 'amqplib';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { messageOf, networkProblem, withoutSecrets } from './connection-errors.ts';
import { closeLater, closeWithin, since, underDeadline } from './connection-io.ts';
import { countSetting, textSetting, trimmedSetting, urlSetting } from './connection-settings.ts';
import { tlsNames } from './connection-tls.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const AMQP_URL: UrlSpec = {
  protocol: 'RabbitMQ',
  schemes: { amqp: { port: 5672, tls: false }, amqps: { port: 5671, tls: true } },
  example: 'amqp://user:password@rabbit.example.com:5672/vhost',
  credentials: true,
  hints: { http: 'that is the management UI; the broker listens on amqp://…:5672', https: 'that is the management UI; the broker listens on amqps://…:5671' },
};

const settings = z.object({
  url: urlSetting(AMQP_URL),
  /** Replaces the URL's password when set, so the URL can be kept without it. */
  password: textSetting(500, 'The password'),
  queue: trimmedSetting(255, 'The queue name'),
  max_depth: countSetting('The maximum depth'),
}).superRefine((s, ctx) => {
  if (s.max_depth !== null && !s.queue) ctx.addIssue({ code: 'custom', path: ['max_depth'], message: 'Name the queue whose depth to check' });
});

export type AmqpSettings = z.output<typeof settings>;

/** The broker's words for a refused connection or a channel error, in ours. */
function describe(err: unknown, host: string, port: number, queue: string, vhost: string, timeoutMs: number): string {
  // amqplib's own socket timeout (set to ours: it is the only handle on a socket still in the handshake).
  if (messageOf(err) === 'connect ETIMEDOUT') return `Timeout: no AMQP handshake with ${hostPort(host, port)} within ${timeoutMs / 1000} s`;
  const net = networkProblem(err, host, port);
  if (net) return net;
  const msg = messageOf(err);
  const code = (err as { code?: number }).code;
  if (/ACCESS_REFUSED - Login was refused|\b403\b.*ACCESS.REFUSED.*(login|PLAIN|AMQPLAIN)/i.test(msg)) return `Authentication failed: ${hostPort(host, port)} refused the user name or password`;
  // RabbitMQ closes the connection instead of opening a vhost that is missing or not permitted.
  if (/NOT_ALLOWED|\b530\b|Expected ConnectionOpenOk; got <ConnectionClose/.test(msg)) {
    return `Not authorized: vhost ${vhost} does not exist or the user may not use it`;
  }
  if (/Frame size \d+ exceeds|Expected ConnectionStart|Frame on channel/.test(msg)) return `${hostPort(host, port)} did not answer as an AMQP broker`;
  if (code === 404 || /NOT_FOUND - no queue/.test(msg)) return `Queue ${queue} does not exist (vhost ${vhost})`;
  if (code === 403 || /ACCESS_REFUSED/.test(msg)) return `Not authorized to read queue ${queue}: ${/ACCESS_REFUSED - (.*?)"?$/.exec(msg)?.[1] ?? msg}`;
  if (/Handshake terminated|Socket closed abruptly|Unexpected close/i.test(msg)) return `Connection closed by ${hostPort(host, port)} during the AMQP handshake: ${msg}`;
  return `AMQP error: ${msg}`;
}

/** One check; `u` is the parsed URL. */
async function probeAmqp(s: AmqpSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  const vhost = u.path || '/';
  let address: string;
  try {
    address = await connectAddress(ctx, u.host);
  } catch (err) {
    return blockedOrFailed(err, (e) => describe(e, u.host, u.port, s.queue, vhost, ctx.timeoutMs), since(started));
  }
  let conn: amqp.ChannelModel | undefined;
  let abandoned = false;
  let step = `no AMQP handshake with ${hostPort(u.host, u.port)}`;
  /** connection.close, and the socket destroyed when the broker does not answer it. */
  const shutdown = async (c: amqp.ChannelModel | undefined) => {
    if (!c) return;
    if (!(await closeWithin(c.close()))) (c.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  };
  const close = () => {
    abandoned = true;
  };
  const work = (async () => {
    const connecting = amqp.connect(
      {
        protocol: u.scheme,
        hostname: address,
        port: u.port,
        username: u.username || (s.password ? 'guest' : undefined),
        password: s.password || u.password || (u.username ? '' : undefined),
        vhost: encodeURIComponent(vhost),
        heartbeat: 0,
      },
      {
        timeout: ctx.timeoutMs, // frees a socket stuck in the handshake at our deadline
        ...(u.tls ? { ...tlsNames(u.host), ca: ctx.ca } : {}),
        clientProperties: { connection_name: 'StatusPing check' },
      },
    );
    // A connection that opens after the deadline is closed at once.
    connecting.then(async (c) => void (abandoned && (await shutdown(c)))).catch(() => undefined);
    conn = await connecting;
    conn.on('error', () => undefined);
    if (abandoned) return null;
    if (!s.queue) return null;
    step = `no answer about queue ${s.queue}`;
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const q = await ch.checkQueue(s.queue);
    await ch.close().catch(() => undefined);
    return q.messageCount;
  })();
  try {
    const depth = await underDeadline(ctx, work, () => step, close);
    const responseMs = since(started);
    if (depth !== null && s.max_depth !== null && depth > s.max_depth) {
      return failed(`Queue ${s.queue} has ${depth} message${depth === 1 ? '' : 's'} (limit ${s.max_depth})`, responseMs);
    }
    return { ok: true, statusCode: null, responseMs, error: null };
  } catch (err) {
    return failed(describe(err, u.host, u.port, s.queue, vhost, ctx.timeoutMs), since(started));
  } finally {
    abandoned = true;
    closeLater(() => shutdown(conn));
  }
}

export const amqpCheck = defineCheckType({
  type: 'amqp',
  label: 'RabbitMQ (AMQP)',
  description: 'Connects to a RabbitMQ or other AMQP 0-9-1 broker and logs in; optionally checks that a queue exists and is not deeper than a limit.',
  settings,
  fields: {
    url: { label: 'Connection URL', input: 'url', required: true, placeholder: AMQP_URL.example, help: 'amqp:// or amqps:// (TLS), with the user, password and vhost as your clients use them.' },
    password: { label: 'Password', input: 'secret', help: 'Optional: used instead of a password in the URL.' },
    queue: { label: 'Queue', input: 'text', placeholder: 'jobs', help: 'Optional: the queue must exist (it is only inspected, never declared).' },
    max_depth: { label: 'Maximum messages in the queue', input: 'number', min: 0, help: 'Optional: the check fails when the queue holds more messages than this.' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => displayUrl(s.url, AMQP_URL) + (s.queue ? ` queue ${s.queue}` : ''),
  hosts: (s) => urlHosts(s.url, AMQP_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, AMQP_URL);
    if (typeof u === 'string') return failed(u);
    return withoutSecrets(await probeAmqp(s, u, ctx), [u.password, s.password]);
  },
});
