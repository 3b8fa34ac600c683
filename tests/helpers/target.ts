import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real HTTP server for checks to hit:
 *   /ok                 200 "all good"
 *   /status/<code>      that status
 *   /slow?ms=N          answers after N ms
 *   /redirect/<n>       n redirects, then /ok
 *   /loop               redirects to itself forever
 *   /flip               200 or 503 depending on `target.healthy`
 *   /text?body=…        200 with that body
 *   /blip/<key>         503 the first time for each key, 200 after
 *   /json               a JSON document with an x-version header
 *   /headers            echoes the request; keeps its headers in `lastHeaders`
 *   /to?url=…           302 to that URL
 *   /app, /app/done     a tiny HTML form and its result page, for browser journeys
 * `hits` counts requests per path; `concurrent`/`maxConcurrent` track overlapping requests.
 */
export interface Target {
  url: string;
  healthy: boolean;
  hits: Map<string, number>;
  concurrent: number;
  maxConcurrent: number;
  delayMs: number;
  /** Headers of the last request to /headers. */
  lastHeaders?: Record<string, string>;
  close(): Promise<void>;
}

function handler(t: Target) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    t.hits.set(u.pathname, (t.hits.get(u.pathname) ?? 0) + 1);
    t.concurrent++;
    t.maxConcurrent = Math.max(t.maxConcurrent, t.concurrent);
    const done = () => {
      t.concurrent--;
    };
    res.on('close', done);
    const send = (status: number, body = '', headers: Record<string, string> = {}) => {
      const go = () => {
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(body);
      };
      if (t.delayMs > 0) setTimeout(go, t.delayMs);
      else go();
    };
    const [, first, second] = u.pathname.split('/');
    if (first === 'ok') return send(200, 'all good');
    if (first === 'status') return send(Number(second), `status ${second}`);
    if (first === 'slow') return setTimeout(() => send(200, 'slow'), Number(u.searchParams.get('ms') ?? 1000));
    if (first === 'redirect') {
      const n = Number(second);
      return send(302, '', { location: n > 1 ? `/redirect/${n - 1}` : '/ok' });
    }
    if (first === 'loop') return send(302, '', { location: '/loop' });
    if (first === 'flip') return send(t.healthy ? 200 : 503, t.healthy ? 'healthy' : 'unhealthy');
    if (first === 'text') return send(200, u.searchParams.get('body') ?? '');
    if (first === 'json') return send(200, JSON.stringify({ status: 'ok', items: [{ name: 'alpha' }], count: 3 }), { 'content-type': 'application/json', 'x-version': '7' });
    if (first === 'headers') {
      t.lastHeaders = req.headers as Record<string, string>;
      return send(200, JSON.stringify({ method: req.method, headers: req.headers }), { 'content-type': 'application/json' });
    }
    if (first === 'to') return send(302, '', { location: u.searchParams.get('url') ?? '/ok' });
    if (first === 'app' && second === 'done') {
      const name = (u.searchParams.get('name') ?? '').replace(/[<>&"]/g, '');
      return send(200, `<!doctype html><title>Done</title><h1>Hello ${name}</h1>`, { 'content-type': 'text/html' });
    }
    if (first === 'app') {
      return send(200, '<!doctype html><title>App</title><form action="/app/done"><label>Name <input id="name" name="name"></label><button>Continue</button></form>', { 'content-type': 'text/html' });
    }
    // Fails the first request for each key, then answers 200: a lost packet.
    if (first === 'blip') return send((t.hits.get(u.pathname) ?? 0) === 1 ? 503 : 200, 'blip');
    return send(404, 'not found');
  };
}

function listen(server: Server, t: Target, scheme: string): Promise<Target> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      t.url = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
      t.close = () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        });
      resolve(t);
    });
  });
}

function newTarget(): Target {
  return { url: '', healthy: true, hits: new Map(), concurrent: 0, maxConcurrent: 0, delayMs: 0, close: async () => undefined };
}

export function startTarget(): Promise<Target> {
  const t = newTarget();
  return listen(createServer(handler(t)), t, 'http');
}

/** An HTTPS target with a freshly generated self-signed certificate (checks must reject it). */
export function startSelfSignedTarget(): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'statusping-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
    stdio: 'ignore',
  });
  const t = newTarget();
  return listen(createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, handler(t)), t, 'https');
}

/** A port with nothing listening: bind, note the port, close. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
