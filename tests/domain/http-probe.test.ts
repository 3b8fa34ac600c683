import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, type HttpTarget } from '../../src/domain/checks/probes/http.ts';
import { closedPort, startSelfSignedTarget, startTarget, type Target } from '../helpers/target.ts';
import { OPEN_GUARD, BLOCK_ALL } from '../helpers/fixtures.ts';

let target: Target;
let tls: Target;
beforeAll(async () => {
  target = await startTarget();
  tls = await startSelfSignedTarget();
});
afterAll(async () => {
  await target.close();
  await tls.close();
});

const open = { guard: OPEN_GUARD };
const t = (path: string, over: Partial<HttpTarget> = {}): HttpTarget => ({
  url: `${target.url}${path}`,
  method: 'GET',
  expectedStatus: '200-399',
  keyword: null,
  timeoutMs: 2000,
  ...over,
});

describe('HTTP probe against a real local server', () => {
  it('200 is up, with status and response time', async () => {
    const r = await httpProbe(t('/ok'), open);
    expect(r).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(r.responseMs).toBeGreaterThanOrEqual(0);
  });

  it('500 is down and says it was an unexpected status', async () => {
    const r = await httpProbe(t('/status/500'), open);
    expect(r).toMatchObject({ ok: false, statusCode: 500 });
    expect(r.error).toBe('Unexpected status 500 (expected 200-399)');
  });

  it('a custom expected status list accepts what it lists', async () => {
    expect((await httpProbe(t('/status/418', { expectedStatus: '200,418' }), open)).ok).toBe(true);
  });

  it('a response slower than the timeout is a timeout', async () => {
    const r = await httpProbe(t('/slow?ms=1500', { timeoutMs: 300 }), open);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^Timeout/);
    expect(r.responseMs).toBeLessThan(1200);
  });

  it('follows a redirect chain to the final answer', async () => {
    const r = await httpProbe(t('/redirect/3'), open);
    expect(r).toMatchObject({ ok: true, statusCode: 200 });
    expect(target.hits.get('/ok')).toBeGreaterThan(0);
  });

  it('gives up on a redirect loop', async () => {
    const r = await httpProbe(t('/loop'), open);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Too many redirects/);
  });

  it('connection refused is named plainly', async () => {
    const port = await closedPort();
    const r = await httpProbe({ ...t('/'), url: `http://127.0.0.1:${port}/` }, open);
    expect(r).toMatchObject({ ok: false, statusCode: null });
    expect(r.error).toBe('Connection refused by 127.0.0.1');
  });

  it('an unresolvable host is a DNS failure', async () => {
    const r = await httpProbe({ ...t('/'), url: 'http://no-such-host.invalid/' }, open);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('DNS failure: could not resolve no-such-host.invalid');
  });

  it('a self-signed certificate is a TLS error', async () => {
    const r = await httpProbe({ ...t('/'), url: `${tls.url}/ok` }, open);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^TLS error: self-signed certificate/);
  });

  it('keyword present passes and keyword missing fails with the keyword named', async () => {
    expect((await httpProbe(t('/text?body=hello%20world', { keyword: 'world' }), open)).ok).toBe(true);
    const r = await httpProbe(t('/text?body=hello', { keyword: 'world' }), open);
    expect(r).toMatchObject({ ok: false, statusCode: 200 });
    expect(r.error).toBe('Keyword missing: "world" not found in the response');
  });

  it('HEAD and POST are sent as such', async () => {
    expect((await httpProbe(t('/ok', { method: 'HEAD' }), open)).ok).toBe(true);
    expect((await httpProbe(t('/ok', { method: 'POST' }), open)).ok).toBe(true);
  });

  it('refuses private targets when the guard is on, before and after a redirect', async () => {
    const r = await httpProbe(t('/ok'), { guard: BLOCK_ALL });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    const viaName = await httpProbe({ ...t('/ok'), url: target.url.replace('127.0.0.1', 'localhost') + '/ok' }, { guard: BLOCK_ALL });
    expect(viaName.error).toMatch(/^Blocked/);
  });
});
