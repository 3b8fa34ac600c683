import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NetGuard } from './net-guard.ts';

const IDLE_MS = 60_000;
// Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own: never forwarded.
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** "host:port" of a CONNECT request, IPv6 in brackets; null when malformed. */
function parseAuthority(authority: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) return null;
  return { host: (m[1] ?? m[2])!, port };
}

function refuse(socket: Duplex, status: string, why: string): void {
  const body = `StatusPing refused this connection: ${why}\n`;
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * The only way out for the journey browser: an HTTP and CONNECT proxy on loopback that
 * resolves every name itself and connects only where the guard allows, checking the address
 * actually connected to. Chromium is started with this proxy for every scheme, without its
 * loopback bypass and with name resolution disabled, so navigations, each redirect hop,
 * subresources, fetch/XHR and WebSockets all pass through `NetGuard` — request interception
 * in the page sees only the first request of a navigation and would miss redirects.
 */
export class GuardProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly guard: NetGuard) {
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => this.tunnel(req, client, head));
    // Chromium tunnels WebSockets with CONNECT; an Upgrade sent to the proxy itself is refused.
    this.server.on('upgrade', (_req, socket: Duplex) => refuse(socket, '405 Method Not Allowed', 'use CONNECT'));
    this.server.on('connection', (s: Socket) => this.track(s));
  }

  /** Listens on an ephemeral loopback port; resolves to `http://127.0.0.1:<port>`. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(s: Duplex): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  /** Opens a guarded TCP connection; literal addresses are checked here because they skip the lookup. */
  private open(host: string, port: number, onReady: (upstream: Socket) => void, onError: (status: string, why: string) => void): void {
    const refused = this.guard.hostRefusal(host);
    if (refused) return onError('403 Forbidden', refused);
    const upstream = connect({ host, port, lookup: this.guard.lookup as never });
    this.track(upstream);
    upstream.setTimeout(IDLE_MS, () => upstream.destroy());
    upstream.once('connect', () => onReady(upstream));
    upstream.once('error', (err) => {
      const blocked = (err as NodeJS.ErrnoException).code === 'EBLOCKED';
      onError(blocked ? '403 Forbidden' : '502 Bad Gateway', blocked ? err.message : `could not connect to ${host}:${port} (${(err as NodeJS.ErrnoException).code ?? err.message})`);
    });
  }

  private tunnel(req: IncomingMessage, client: Duplex, head: Buffer): void {
    client.on('error', () => undefined);
    const target = parseAuthority(req.url ?? '');
    if (!target) return refuse(client, '400 Bad Request', 'malformed CONNECT target');
    this.open(
      target.host,
      target.port,
      (upstream) => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
      },
      (status, why) => refuse(client, status, why),
    );
  }

  /** Plain http:// requests arrive with an absolute URL; they are sent on without following redirects (the browser follows them, through here again). */
  private forward(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('StatusPing refused this request: not a proxy request\n');
    }
    if (url.protocol !== 'http:') return void res.writeHead(400, { 'content-type': 'text/plain' }).end('StatusPing refused this request: only http:// is proxied; https goes through CONNECT\n');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 80);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP.has(k)));
    const fail = (status: string, why: string) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(Number(status.slice(0, 3)), { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`StatusPing refused this request: ${why}\n`);
    };
    this.open(host, port, (upstream) => {
      const out = request({ createConnection: () => upstream, host, port, method: req.method, path: `${url.pathname}${url.search}`, headers, agent: false }, (up) => {
        const resHeaders = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP.has(k)));
        res.writeHead(up.statusCode ?? 502, resHeaders as never);
        up.pipe(res);
      });
      out.on('error', (err) => fail('502 Bad Gateway', err.message));
      req.pipe(out);
    }, fail);
  }
}
