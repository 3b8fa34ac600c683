import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { z } from 'zod';
import { defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { messageOf, networkProblem, withoutSecrets } from './connection-errors.ts';
import { closeLater, closeWithin, since, underDeadline } from './connection-io.ts';
import { textSetting, urlSetting } from './connection-settings.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const WEBSOCKET_URL: UrlSpec = {
  protocol: 'WebSocket',
  schemes: { ws: { port: 80, tls: false }, wss: { port: 443, tls: true } },
  example: 'wss://example.com/socket',
  credentials: true,
  hints: { http: 'write ws:// for the same address', https: 'write wss:// for the same address' },
};

const MAX_REDIRECTS = 5;

const settings = z.object({
  url: urlSetting(WEBSOCKET_URL),
  /** Sent as `Authorization: Bearer …`. */
  token: textSetting(4000, 'The token').refine((t) => !/[\r\n]/.test(t), 'The token must be on one line'),
  send: textSetting(10_000, 'The message to send'),
  expect: textSetting(1000, 'The expected text'),
});

export type WebsocketSettings = z.output<typeof settings>;

function describe(err: unknown, host: string, port: number): string {
  const net = networkProblem(err, host, port);
  if (net) return net;
  const msg = messageOf(err);
  const status = /Unexpected server response: (\d+)/.exec(msg)?.[1];
  if (status === '401') return `Authentication failed: the server answered HTTP 401 instead of upgrading to WebSocket`;
  if (status === '403') return `Not authorized: the server answered HTTP 403 instead of upgrading to WebSocket`;
  if (status) return `No WebSocket upgrade: the server answered HTTP ${status}`;
  if (/Opening handshake has timed out/.test(msg)) return `Timeout: no WebSocket handshake with ${hostPort(host, port)}`;
  if (/Maximum redirects exceeded/.test(msg)) return `Too many redirects (more than ${MAX_REDIRECTS})`;
  return `WebSocket error: ${msg}`;
}

/** One check; `u` is the parsed URL. */
async function probeWebsocket(s: WebsocketSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  // Literal addresses skip the lookup, so the guard sees them here; names in the lookup
  // (the guard's), for the first request and every redirect.
  const refused = ctx.guard.hostRefusal(u.host);
  if (refused) return failed(`Blocked: ${refused}`);
  let step = `no WebSocket handshake with ${hostPort(u.host, u.port)}`;
  let received = 0;
  let statusCode: number | null = null;
  let ws: WebSocket | undefined;
  const options = {
    handshakeTimeout: ctx.timeoutMs + 1000, // ours is the deadline; this only frees a stuck socket
    followRedirects: false, // followed below, after the next URL is judged and before anything connects to it
    perMessageDeflate: false,
    maxPayload: 1024 * 1024,
    headers: { 'user-agent': 'StatusPing/0.1 (+uptime monitor)', ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) },
    ca: ctx.ca,
    lookup: ctx.guard.active ? (ctx.guard.lookup as never) : undefined,
  };
  const work = new Promise<void>((resolve, reject) => {
    const attempt = (target: URL, hops: number) => {
      let sock: WebSocket;
      try {
        sock = new WebSocket(target, options);
      } catch (err) {
        return reject(err);
      }
      ws = sock;
      sock.on('error', reject);
      sock.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        res.resume();
        req.destroy();
        if (status < 300 || status >= 400 || !location) {
          statusCode = status;
          return reject(new Error(`Unexpected server response: ${status}`));
        }
        let next: URL;
        try {
          next = new URL(location, target);
        } catch {
          return reject(Object.assign(new Error(`Redirect to an invalid URL refused: ${location.slice(0, 200)}`), { code: 'EREDIRECT' }));
        }
        if (next.protocol === 'http:' || next.protocol === 'https:') next.protocol = next.protocol === 'http:' ? 'ws:' : 'wss:';
        // Only to the same host (another could be an internal one), never from wss to ws.
        if (next.protocol !== 'ws:' && next.protocol !== 'wss:') return reject(Object.assign(new Error(`Redirect to ${next.protocol}// refused`), { code: 'EREDIRECT' }));
        if (next.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== u.host) return reject(Object.assign(new Error(`Redirect to another host (${next.host}) refused`), { code: 'EREDIRECT' }));
        if (u.tls && next.protocol !== 'wss:') return reject(Object.assign(new Error(`Redirect from wss:// to ${next.protocol}// refused`), { code: 'EREDIRECT' }));
        if (hops >= MAX_REDIRECTS) return reject(new Error('Maximum redirects exceeded'));
        if (!next.username && !next.password) {
          next.username = target.username;
          next.password = target.password;
        }
        next.hash = '';
        sock.removeAllListeners();
        sock.on('error', () => undefined);
        attempt(next, hops + 1);
      });
      sock.on('upgrade', (res) => (statusCode = res.statusCode ?? 101));
      sock.on('close', (code, reason) => reject(Object.assign(new Error(`The server closed the connection (${code}${reason.length ? ` ${reason.toString('utf8')}` : ''}) ${step.replace(/^no /, 'before any ')}`), { code: 'ECLOSED' })));
      sock.on('message', (data) => {
        received++;
        // Text and binary messages alike are searched as UTF-8.
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        if (!s.expect || text.includes(s.expect)) resolve();
      });
      sock.on('open', () => {
        if (s.send) sock.send(s.send);
        if (!s.send && !s.expect) return resolve();
        step = s.expect ? `no message containing "${s.expect}"` : 'no answer to the message sent';
      });
    };
    attempt(new URL(s.url), 0);
  });
  try {
    await underDeadline(ctx, work, () => (received > 0 ? `${step} (${received} other message${received === 1 ? '' : 's'})` : step), () => ws?.terminate());
    return { ok: true, statusCode, responseMs: since(started), error: null };
  } catch (err) {
    const e = err as { code?: string };
    const error = e.code === 'EREDIRECT' || e.code === 'ECLOSED' ? messageOf(err) : describe(err, u.host, u.port);
    return failed(error, since(started), statusCode === 101 ? null : statusCode);
  } finally {
    const last = ws;
    if (last) {
      last.removeAllListeners();
      last.on('error', () => undefined);
      if (last.readyState === WebSocket.OPEN) {
        // A close frame the server sees; the socket goes when it answers, or after a second regardless.
        const closed = new Promise<void>((r) => last.once('close', () => r()));
        last.close(1000, 'check done');
        closeLater(async () => (await closeWithin(closed)) || last.terminate());
      } else {
        last.terminate();
      }
    }
  }
}

export const websocketCheck = defineCheckType({
  type: 'websocket',
  label: 'WebSocket',
  description: 'Opens a WebSocket connection; optionally sends a message and expects an answer, or one containing a keyword, within the timeout.',
  settings,
  fields: {
    url: { label: 'WebSocket URL', input: 'url', required: true, placeholder: WEBSOCKET_URL.example, help: 'ws:// or wss:// (TLS). Redirects are followed on the same host only.' },
    token: { label: 'Bearer token', input: 'secret', help: 'Optional: sent as Authorization: Bearer … with the upgrade request.' },
    send: { label: 'Message to send', input: 'textarea', help: 'Optional: sent as a text message once the connection is open.' },
    expect: { label: 'Expected text', input: 'text', placeholder: 'pong', help: 'Optional: a message from the server must contain this text (without it any message will do when one is sent).' },
  },
  secrets: ['url', 'token'],
  probed: true,
  target: (s) => displayUrl(s.url, WEBSOCKET_URL),
  hosts: (s) => urlHosts(s.url, WEBSOCKET_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, WEBSOCKET_URL);
    if (typeof u === 'string') return failed(u);
    // Query parameters that carry credentials (?access_token=…, ?key=…) are secret too.
    const inQuery = [...u.query].filter(([k, v]) => /token|key|secret|pass|auth|sig|jwt|session|cred/i.test(k) || v.length >= 16).map(([, v]) => v);
    return withoutSecrets(await probeWebsocket(s, u, ctx), [u.password, s.token, ...inQuery]);
  },
});
