import { lookup as dnsLookup } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserProbe } from '../../src/domain/checks/probes/browser.ts';
import { BrowserPool } from '../../src/lib/browser-pool.ts';
import { type LookupFn, NetGuard } from '../../src/lib/net-guard.ts';
import { executablePath } from '../helpers/browser.ts';

// 127.0.0.1 stands in for the public internet (a test-only allow entry); 127.0.0.2 is the
// internal network that must stay unreachable whatever the page does.
function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

const mapNames: LookupFn = (host, options, cb) => (host === 'internal.test' ? cb(null, [{ address: '127.0.0.2', family: 4 }]) : (dnsLookup as unknown as LookupFn)(host, options, cb));

describe.skipIf(!executablePath)('browser journeys behind the network guard (every request through our proxy)', () => {
  let internal: Server;
  let pub: Server;
  let hits = 0;
  let connections = 0;
  let inside = '';
  let base = '';
  let guarded: BrowserPool;
  let leaky: BrowserPool;

  beforeAll(async () => {
    internal = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' }).end('<h1>INTERNAL SECRET</h1>');
    });
    internal.on('connection', () => connections++);
    inside = `127.0.0.2:${await listen(internal, '127.0.0.2')}`;
    const secret = `http://${inside}/secret`;
    pub = createServer((req, res) => {
      const redirect = /^\/r\/(30[1278])$/.exec(req.url ?? '');
      if (redirect) return void res.writeHead(Number(redirect[1]), { location: secret }).end();
      const page = (body: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>t</title><body>${body}</body>`);
      if (req.url === '/name') return void res.writeHead(302, { location: `http://internal.test:${inside.split(':')[1]}/secret` }).end();
      if (req.url === '/https') return void res.writeHead(302, { location: `https://${inside}/` }).end();
      if (req.url === '/meta') return page(`<meta http-equiv="refresh" content="0;url=${secret}">PUBLIC`);
      if (req.url === '/js') return page(`PUBLIC<script>setTimeout(() => { location.href = ${JSON.stringify(secret)}; }, 10)</script>`);
      if (req.url === '/sub') {
        return page(`PUBLIC<img src="${secret}.png"><script>
          const tries = [
            fetch(${JSON.stringify(secret)}).then((r) => r.text()),
            new Promise((ok) => { const x = new XMLHttpRequest(); x.onloadend = ok; x.open('GET', ${JSON.stringify(secret)}); x.send(); }),
            new Promise((ok) => { const w = new WebSocket('ws://${inside}/'); w.onerror = ok; w.onclose = ok; w.onopen = ok; }),
            new Promise((ok) => { const w = new WebSocket('wss://${inside}/'); w.onerror = ok; w.onclose = ok; w.onopen = ok; }),
          ];
          Promise.allSettled(tries).then(() => { document.body.insertAdjacentHTML('beforeend', '<p>DONE</p>'); });
        </script>`);
      }
      page('PUBLIC OK');
    });
    base = `http://127.0.0.1:${await listen(pub, '127.0.0.1')}`;
    guarded = new BrowserPool(executablePath!, 2, new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup: mapNames }));
    leaky = new BrowserPool(executablePath!, 1, new NetGuard({ block: true, allow: ['127.0.0.0/8'], lookup: mapNames }));
  });
  afterAll(async () => {
    await guarded.close();
    await leaky.close();
    pub.close();
    internal.close();
  });

  const run = (pool: BrowserPool, steps: string) => browserProbe({ steps, timeoutMs: 8000 }, { guard: pool.guard, browsers: pool });

  it('a public page loads through the proxy', async () => {
    expect(await run(guarded, `goto ${base}/\nexpect text PUBLIC OK`)).toMatchObject({ ok: true });
  });

  it('the test can see a leak: with 127.0.0.2 allowed the same redirect reaches the internal page', async () => {
    const before = hits;
    expect(await run(leaky, `goto ${base}/r/302\nexpect text INTERNAL SECRET`)).toMatchObject({ ok: true });
    expect(hits).toBeGreaterThan(before);
  });

  it.each(['/r/301', '/r/302', '/r/307', '/r/308', '/meta', '/js', '/name'])('%s to an internal address ends on our refusal, never the internal page', async (path) => {
    hits = 0;
    const r = await run(guarded, `goto ${base}${path}\nexpect text StatusPing refused this`);
    expect(r).toMatchObject({ ok: true });
    expect(hits).toBe(0);
  });

  it('an https redirect to an internal address is refused at CONNECT', async () => {
    connections = 0;
    const r = await run(guarded, `goto ${base}/https\nexpect text INTERNAL SECRET`);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ERR_TUNNEL_CONNECTION_FAILED/);
    expect(connections).toBe(0);
  });

  it('subresources, fetch, XHR and WebSockets to internal addresses never connect', async () => {
    hits = 0;
    connections = 0;
    expect(await run(guarded, `goto ${base}/sub\nexpect text DONE`)).toMatchObject({ ok: true });
    expect({ hits, connections }).toEqual({ hits: 0, connections: 0 });
  });

  it('a guarded check refuses to run on a browser that is not behind the guard', async () => {
    const open = new BrowserPool(executablePath!, 1);
    const r = await browserProbe({ steps: `goto ${base}/`, timeoutMs: 5000 }, { guard: guarded.guard, browsers: open });
    expect(r.error).toMatch(/^Blocked: the browser is not behind the network guard/);
    await open.close();
  });
});
