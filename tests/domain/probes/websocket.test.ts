import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { websocketCheck } from '../../../src/domain/checks/probes/websocket.ts';
import { closedPort } from '../../helpers/target.ts';
import { ctx, namedGuard, openSockets, SAAS_GUARD, SAAS_LOOPBACK, seesClose, selfSignedCert, silentServer, socketsBackTo, TEST_HOST, type TestCert } from './helpers.ts';

const parse = (input: Record<string, unknown>) => websocketCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = websocketCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('WebSocket settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: 'wss://example.com/socket' })).toEqual({ url: 'wss://example.com/socket', token: '', send: '', expect: '' });
    expect(parse({ url: 'ws://example.com:8080/', send: '{"op":"ping"}', expect: 'pong' })).toMatchObject({ send: '{"op":"ping"}', expect: 'pong' });
  });

  it('says what is wrong with a URL', () => {
    expect(problems({ url: 'https://example.com/socket' }).url).toBe('https:// is not a WebSocket URL (write wss:// for the same address). Use a ws:// or wss:// URL, like wss://example.com/socket');
    expect(problems({ url: 'example.com/socket' }).url).toMatch(/^Enter the whole URL with its scheme/);
    expect(problems({ url: 'wss://example.com/socket#top' }).url).toBe('Remove the #fragment from the URL');
    expect(problems({ url: 'wss://example.com', token: 'a\nb' }).token).toBe('The token must be on one line');
  });

  it('keeps the URL and token secret: the target shows no password and no query', () => {
    expect(websocketCheck.secrets).toEqual(['url', 'token']);
    expect(websocketCheck.target(parse({ url: 'wss://bot:hunter2@chat.example.com/live?access_token=abc' }))).toBe('wss://bot@chat.example.com:443/live?…');
    expect(websocketCheck.target(parse({ url: 'ws://[2001:db8::1]:8080' }))).toBe('ws://[2001:db8::1]:8080');
    expect(websocketCheck.hosts(parse({ url: 'wss://chat.example.com/live' }))).toEqual(['chat.example.com']);
  });
});

interface WsServer {
  port: number;
  /** How each server-side connection ended: the close code the client sent. */
  closes: number[];
  upgrades: IncomingMessage[];
  close(): Promise<void>;
}

/** A ws server with a few behaviours by path; TLS when a certificate is given. */
async function startWsServer(cert?: TestCert): Promise<WsServer> {
  const closes: number[] = [];
  const upgrades: IncomingMessage[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server: Server = cert ? createHttpsServer({ key: cert.key, cert: cert.cert }) : createServer();
  // Every request from a WebSocket client is an upgrade: plain HTTP answers are written on the socket.
  const answer = (socket: Duplex, status: string, headers: Record<string, string> = {}) =>
    socket.end(`HTTP/1.1 ${status}\r\n${Object.entries({ ...headers, 'content-length': '0', connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/redirect-same') return answer(socket, '302 Found', { location: '/echo' });
    if (path === '/redirect-other') return answer(socket, '302 Found', { location: `ws://127.0.0.2:${new URL(req.url ?? '/', 'http://x').searchParams.get('port')}/echo` });
    if (path === '/redirect-downgrade') return answer(socket, '302 Found', { location: `ws://${req.headers.host}/echo` });
    if (!['/echo', '/greet', '/silent', '/private', '/hangup'].includes(path)) return answer(socket, '404 Not Found');
    if (path === '/private' && req.headers.authorization !== 'Bearer let-me-in') {
      return answer(socket, '401 Unauthorized');
    }
    upgrades.push(req);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('close', (code) => closes.push(code));
      if (path === '/echo' || path === '/private') ws.on('message', (m) => ws.send(`echo ${m.toString()}`));
      if (path === '/greet') ws.send('hello, ready');
      if (path === '/hangup') ws.close(1011, 'going away');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    closes,
    upgrades,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

describe('WebSocket check against a ws server', () => {
  let plain: WsServer;
  let secure: WsServer;
  let cert: TestCert;
  beforeAll(async () => {
    cert = selfSignedCert();
    plain = await startWsServer();
    secure = await startWsServer(cert);
  });
  afterAll(async () => {
    await plain?.close();
    await secure?.close();
  });
  const at = (path: string) => `ws://127.0.0.1:${plain.port}${path}`;

  it('up: opens and closes with a close frame the server sees; through the SaaS guard when loopback is allowed', async () => {
    const before = openSockets();
    const r = await websocketCheck.run(parse({ url: at('/echo') }), ctx());
    expect(r).toMatchObject({ ok: true, statusCode: 101, error: null });
    await new Promise((res) => setTimeout(res, 50));
    expect(plain.closes.at(-1)).toBe(1000);
    expect(await websocketCheck.run(parse({ url: at('/echo') }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('send and expect: an echo, a greeting, a wrong answer, a server that hangs up', async () => {
    expect(await websocketCheck.run(parse({ url: at('/echo'), send: 'ping', expect: 'echo ping' }), ctx())).toMatchObject({ ok: true });
    expect(await websocketCheck.run(parse({ url: at('/echo'), send: 'ping' }), ctx())).toMatchObject({ ok: true });
    expect(await websocketCheck.run(parse({ url: at('/greet'), expect: 'ready' }), ctx())).toMatchObject({ ok: true });
    const wrong = await websocketCheck.run(parse({ url: at('/echo'), send: 'ping', expect: 'pong' }), ctx({ timeoutMs: 600 }));
    expect(wrong.error).toBe('Timeout: no message containing "pong" (1 other message) within 0.6 s');
    const silent = await websocketCheck.run(parse({ url: at('/silent'), expect: 'hello' }), ctx({ timeoutMs: 600 }));
    expect(silent.error).toBe('Timeout: no message containing "hello" within 0.6 s');
    expect((await websocketCheck.run(parse({ url: at('/hangup'), expect: 'x' }), ctx())).error).toBe('The server closed the connection (1011 going away) before any message containing "x"');
  });

  it('down: a refused port, a path that is no socket, a missing or wrong token', async () => {
    const port = await closedPort();
    expect((await websocketCheck.run(parse({ url: `ws://127.0.0.1:${port}/` }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);
    const missing = await websocketCheck.run(parse({ url: at('/nothing') }), ctx());
    expect(missing).toMatchObject({ ok: false, statusCode: 404, error: 'No WebSocket upgrade: the server answered HTTP 404' });
    expect(await websocketCheck.run(parse({ url: at('/private'), token: 'let-me-in', send: 'hi', expect: 'echo hi' }), ctx())).toMatchObject({ ok: true });
    expect(plain.upgrades.at(-1)!.headers.authorization).toBe('Bearer let-me-in');
    const denied = await websocketCheck.run(parse({ url: at('/private'), token: 'guess' }), ctx());
    expect(denied).toMatchObject({ ok: false, statusCode: 401, error: 'Authentication failed: the server answered HTTP 401 instead of upgrading to WebSocket' });
  });

  it('a silent server times out and its connection is closed', async () => {
    const silent = await silentServer();
    try {
      const r = await websocketCheck.run(parse({ url: `ws://127.0.0.1:${silent.port}/` }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no WebSocket handshake with 127.0.0.1:${silent.port} within 0.5 s`);
      expect(await seesClose(silent.accepted[0])).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('guard: blocked without connecting; redirects followed on the same host only, every name through the guard', async () => {
    const before = plain.upgrades.length;
    expect((await websocketCheck.run(parse({ url: at('/echo') }), ctx({ guard: SAAS_GUARD }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    expect(plain.upgrades.length).toBe(before);

    expect(await websocketCheck.run(parse({ url: at('/redirect-same') }), ctx())).toMatchObject({ ok: true });
    // The other host is never even connected to.
    const elsewhere = createNetServer((sock) => sock.destroy());
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.2', () => r()));
    let reached = 0;
    elsewhere.on('connection', () => reached++);
    try {
      const to = (elsewhere.address() as AddressInfo).port;
      const other = await websocketCheck.run(parse({ url: at(`/redirect-other?port=${to}`) }), ctx());
      expect(other.error).toBe(`Redirect to another host (127.0.0.2:${to}) refused`);
      expect(reached).toBe(0);
    } finally {
      await new Promise<void>((r) => elsewhere.close(() => r()));
    }

    // A name: looked up by the guard, for the first request and the redirect alike.
    const lookups: string[] = [];
    const named = await websocketCheck.run(parse({ url: `ws://${TEST_HOST}:${plain.port}/redirect-same` }), ctx({ guard: namedGuard(lookups) }));
    expect(named).toMatchObject({ ok: true });
    expect(lookups).toEqual([TEST_HOST, TEST_HOST]);
  });

  it('wss: the certificate is checked against the URL name; no redirect from wss to ws', async () => {
    const url = `wss://${TEST_HOST}:${secure.port}`;
    expect(await websocketCheck.run(parse({ url: `${url}/echo`, send: 'ping', expect: 'echo ping' }), ctx({ guard: namedGuard(), ca: cert.cert }))).toMatchObject({ ok: true });
    expect((await websocketCheck.run(parse({ url: `${url}/echo` }), ctx({ guard: namedGuard() }))).error).toBe('TLS error: self-signed certificate');
    expect((await websocketCheck.run(parse({ url: `wss://127.0.0.1:${secure.port}/echo` }), ctx({ ca: cert.cert }))).error).toBe('TLS error: certificate does not match 127.0.0.1');
    expect((await websocketCheck.run(parse({ url: `${url}/redirect-downgrade` }), ctx({ guard: namedGuard(), ca: cert.cert }))).error).toBe('Redirect from wss:// to ws:// refused');
  });
});
