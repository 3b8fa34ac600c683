import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP server standing in for webhook receivers and third-party APIs (Slack,
 * Telegram, PagerDuty, Resend…). `respond` decides each answer; every request is kept.
 */
export interface Receiver {
  url: string;
  received: Received[];
  respond: (req: Received, n: number) => { status: number; body?: string; delayMs?: number };
  close(): Promise<void>;
}

function blankReceiver(): Receiver {
  return { url: '', received: [], respond: () => ({ status: 200, body: '{"ok":true}' }), close: async () => undefined };
}

/** Starts a receiver; `r` (filled in place) lets a caller hand out the object before the server is up. */
export async function startReceiver(r: Receiver = blankReceiver()): Promise<Receiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const got: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      r.received.push(got);
      const { status, body, delayMs } = r.respond(got, r.received.length);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body ?? '');
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

/** A receiver for the enclosing file or describe block: started before its tests, closed after; read `url` inside tests. */
export function useReceiver(): Receiver {
  const r = blankReceiver();
  beforeAll(async () => {
    await startReceiver(r);
  });
  afterAll(() => r.close());
  return r;
}
