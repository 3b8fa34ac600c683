import { AsyncLocalStorage } from 'node:async_hooks';
import { type ConnectionOptions, type NatsConnection, StringCodec } from 'nats';
// nats.js 2.x never closes the socket of a connection that did not complete (NodeTransport
// ignores close() until connected), so a server that accepts and stays silent would keep
// one socket per check. The check opens connections the way nats' connect() does, with a
// transport factory that hands each check the transports it created, to destroy them.
import { NodeTransport, nodeResolveHost } from 'nats/lib/src/node_transport.js';
import { NatsConnectionImpl, setTransportFactory } from 'nats/lib/src/nats-base-client.js';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { messageOf, networkProblem, withoutSecrets } from './connection-errors.ts';
import { closeLater, closeWithin, since, underDeadline } from './connection-io.ts';
import { textSetting, trimmedSetting, urlSetting } from './connection-settings.ts';
import { tlsNames } from './connection-tls.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const NATS_URL: UrlSpec = {
  protocol: 'NATS',
  schemes: { nats: { port: 4222, tls: false }, tls: { port: 4222, tls: true } },
  example: 'nats://user:password@nats.example.com:4222',
  credentials: true,
  hints: { natss: 'write tls:// for NATS over TLS', ws: 'NATS over WebSocket is not supported; use the nats:// port', wss: 'NATS over WebSocket is not supported; use the tls:// port' },
};

/** Subjects are dot-separated tokens without spaces; a request subject has no wildcards. */
function subjectProblem(subject: string): string | null {
  if (/\s/.test(subject)) return 'Subjects cannot contain spaces';
  if (subject.split('.').some((t) => t === '')) return 'Subjects are tokens separated by single dots, like health.ping';
  if (/[*>]/.test(subject)) return 'A request goes to one subject: no * or > wildcards';
  return null;
}

const settings = z
  .object({
    url: urlSetting(NATS_URL),
    /** With a user name in the URL the password, without one the token. */
    password: textSetting(1000, 'The password or token'),
    subject: trimmedSetting(255, 'The subject').superRefine((v, ctx) => {
      const p = v ? subjectProblem(v) : null;
      if (p) ctx.addIssue({ code: 'custom', message: p });
    }),
    payload: textSetting(10_000, 'The request payload'),
    expect: textSetting(1000, 'The expected text'),
  })
  .superRefine((s, ctx) => {
    if (s.expect && !s.subject) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'Set a subject to send the request to; the expected text is looked for in its reply' });
    if (s.payload && !s.subject) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'Set a subject to send the payload to' });
  });

export type NatsSettings = z.output<typeof settings>;

const sc = StringCodec();

const checkTransports = new AsyncLocalStorage<NodeTransport[]>();

/** nats' connect(), keeping the transports it creates in `transports`. */
function connectTracked(opts: ConnectionOptions, transports: NodeTransport[]): Promise<NatsConnection> {
  return checkTransports.run(transports, () => {
    setTransportFactory({
      factory: () => {
        const t = new NodeTransport();
        checkTransports.getStore()?.push(t);
        return t;
      },
      dnsResolveFn: nodeResolveHost,
    });
    return NatsConnectionImpl.connect(opts);
  });
}

function describe(err: unknown, host: string, port: number, subject: string, tls: boolean): string {
  const code = String((err as { code?: unknown })?.code ?? '');
  const msg = messageOf(err);
  if (code === 'AUTHORIZATION_VIOLATION' || /authorization violation/i.test(msg)) return `Authentication failed: ${hostPort(host, port)} refused the credentials (Authorization Violation)`;
  if (code === 'AUTHENTICATION_EXPIRED' || code === 'ACCOUNT_EXPIRED') return `Authentication failed: ${msg}`;
  if (code === 'PERMISSIONS_VIOLATION' || /permissions violation/i.test(msg)) return `Not authorized: ${msg.replace(/^'?permissions violation/i, 'permission denied').replace(/'$/, '')}`;
  if (code === '503') return `No responders for subject ${subject}: nothing is subscribed to answer the request`;
  if (code === 'TIMEOUT') return `Timeout: no reply on ${subject}`;
  if (code === 'SERVER_OPT_NA' && msg === 'tls') {
    return tls ? `TLS error: ${hostPort(host, port)} does not offer TLS (use a nats:// URL)` : `${hostPort(host, port)} requires TLS: use a tls:// URL`;
  }
  if (code === 'CONNECTION_REFUSED') return `Connection refused by ${hostPort(host, port)}`;
  const net = networkProblem(err, host, port);
  // nats:// to a server that requires TLS: nats.js tries TLS against the dialled address, not the name.
  if (!tls && net?.startsWith('TLS error')) return `${hostPort(host, port)} requires TLS: use a tls:// URL`;
  if (net) return net;
  return `NATS error: ${msg}`;
}

/** One check; `u` is the parsed URL. */
async function probeNats(s: NatsSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  let address: string;
  try {
    address = await connectAddress(ctx, u.host);
  } catch (err) {
    return blockedOrFailed(err, (e) => describe(e, u.host, u.port, s.subject, u.tls), since(started));
  }
  // user:password@ is user/password authentication; a lone user name, or a password without one, is a token.
  const pass = s.password || u.password;
  const auth = u.username && pass ? { user: u.username, pass } : u.username ? { token: u.username } : pass ? { token: pass } : {};
  let nc: NatsConnection | undefined;
  const transports: NodeTransport[] = [];
  let abandoned = false;
  let step = `no NATS handshake with ${hostPort(u.host, u.port)}`;
  const work = (async () => {
    const connecting = connectTracked({
      servers: hostPort(address, u.port),
      ...auth,
      name: 'StatusPing check',
      timeout: ctx.timeoutMs + 1000, // ours is the deadline; this only frees a stuck socket
      reconnect: false,
      maxReconnectAttempts: 0,
      ignoreClusterUpdates: true, // gossiped servers are never dialled
      noRandomize: true,
      // tls:// verifies the certificate against the name in the URL; nats:// is plain text (a
      // server requiring TLS is named as such, see describe).
      tls: u.tls ? { ...tlsNames(u.host), ca: ctx.ca } : undefined,
    }, transports);
    connecting.then(async (c) => void (abandoned && (await closeWithin(c.close())))).catch(() => undefined);
    nc = await connecting;
    if (abandoned) return;
    if (!s.subject) {
      step = `no answer to PING from ${hostPort(u.host, u.port)}`;
      await nc.flush();
      return;
    }
    step = `no reply on ${s.subject}`;
    const reply = await nc.request(s.subject, sc.encode(s.payload), { timeout: ctx.timeoutMs + 1000, noMux: true });
    const text = sc.decode(reply.data);
    if (s.expect && !text.includes(s.expect)) {
      throw Object.assign(new Error(`The reply on ${s.subject} does not contain "${s.expect}": ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`), { code: 'EEXPECT' });
    }
  })();
  try {
    await underDeadline(ctx, work, () => step, () => (abandoned = true));
    return { ok: true, statusCode: null, responseMs: since(started), error: null };
  } catch (err) {
    const e = err as { code?: string };
    return failed(e.code === 'EEXPECT' ? messageOf(err) : describe(err, u.host, u.port, s.subject, u.tls), since(started));
  } finally {
    abandoned = true;
    const open = nc;
    closeLater(async () => {
      if (open && !open.isClosed()) await closeWithin(open.close());
      // Whatever did not close politely (a handshake that never finished) is destroyed.
      for (const t of transports) t.socket?.destroy();
    });
  }
}

export const natsCheck = defineCheckType({
  type: 'nats',
  label: 'NATS',
  description: 'Connects to a NATS server and logs in; optionally sends a request to a subject and expects a reply, or one containing a keyword.',
  settings,
  fields: {
    url: { label: 'Server URL', input: 'url', required: true, placeholder: NATS_URL.example, help: 'nats:// or tls:// (TLS). nats://token@host for token authentication.' },
    password: { label: 'Password or token', input: 'secret', help: 'Optional: the password when the URL names a user, otherwise the token; used instead of the one in the URL.' },
    subject: { label: 'Request subject', input: 'text', placeholder: 'health.ping', help: 'Optional: send a request here; a responder must reply within the timeout.' },
    payload: { label: 'Request payload', input: 'textarea', help: 'Optional: the body of the request.' },
    expect: { label: 'Expected text in the reply', input: 'text', placeholder: 'ok' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => displayUrl(s.url, NATS_URL, { path: false }) + (s.subject ? ` request ${s.subject}` : ''),
  hosts: (s) => urlHosts(s.url, NATS_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, NATS_URL);
    if (typeof u === 'string') return failed(u);
    return withoutSecrets(await probeNats(s, u, ctx), [u.password, s.password, u.password ? '' : u.username]);
  },
});
