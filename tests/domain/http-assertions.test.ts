import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAssertions, jsonPathGet, safeRegexTest } from '../../src/domain/checks/probes/assertions.ts';
import { httpProbe } from '../../src/domain/checks/probes/http.ts';
import { httpTarget, type HttpSettings } from '../../src/domain/checks/probes/http-settings.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { startTarget, type Target } from '../helpers/target.ts';
import { OPEN_GUARD } from '../helpers/fixtures.ts';

let a: Target;
let b: Target;
beforeAll(async () => {
  a = await startTarget();
  b = await startTarget();
});
afterAll(async () => {
  await a.close();
  await b.close();
});
const open = { guard: OPEN_GUARD };

/** The request a monitor saved from this form makes. */
function target(form: Record<string, string>) {
  const p = parseMonitorInput({ name: 'x', interval_seconds: '60', ...form });
  return httpTarget(p.settings as HttpSettings, p.timeout_seconds * 1000);
}

describe('HTTP assertions', () => {
  it('stops a catastrophic regular expression instead of stalling', () => {
    const started = performance.now();
    expect(safeRegexTest('^(a+)+$', `${'a'.repeat(40)}!`)).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(safeRegexTest('ok$', 'all ok')).toBe(true);
    expect(safeRegexTest('(', 'x')).toBe('invalid');
  });

  it('reads JSON paths and compares values', () => {
    const doc = { status: 'ok', items: [{ name: 'alpha' }], 'a b': 1 };
    expect(jsonPathGet(doc, '$.items[0].name')).toBe('alpha');
    expect(jsonPathGet(doc, '$["a b"]')).toBe(1);
    expect(jsonPathGet(doc, '$.nope.deeper')).toBeUndefined();
    const h = new Headers({ 'x-version': '7' });
    const body = JSON.stringify(doc);
    expect(checkAssertions({ jsonPath: '$.status', jsonExpected: '"ok"' }, { body, headers: h, responseMs: 5 })).toBeNull();
    expect(checkAssertions({ jsonPath: '$.status', jsonExpected: 'ok' }, { body, headers: h, responseMs: 5 })).toBeNull();
    expect(checkAssertions({ jsonPath: '$.status', jsonExpected: '"down"' }, { body, headers: h, responseMs: 5 })).toBe('JSON $.status is "ok", expected "down"');
    expect(checkAssertions({ jsonPath: '$.items', jsonOp: 'contains', jsonExpected: 'alpha' }, { body, headers: h, responseMs: 5 })).toBeNull();
    expect(checkAssertions({ headerName: 'x-version', headerValue: '8' }, { body, headers: h, responseMs: 5 })).toBe('Header x-version is "7", expected "8"');
    expect(checkAssertions({ keywordAbsent: 'alpha' }, { body, headers: h, responseMs: 5 })).toBe('Keyword present: "alpha" found in the response');
    expect(checkAssertions({ maxResponseMs: 3 }, { body, headers: h, responseMs: 5 })).toBe('Too slow: 5 ms, limit 3 ms');
  });

  it('the form validates patterns, paths, headers and auth', () => {
    expect(() => parseMonitorInput({ name: 'x', url: 'https://a.b', interval_seconds: '60', regex: '(' })).toThrow('Not a valid regular expression');
    expect(() => parseMonitorInput({ name: 'x', url: 'https://a.b', interval_seconds: '60', json_path: 'status' })).toThrow(/JSON path looks like/);
    expect(() => parseMonitorInput({ name: 'x', url: 'https://a.b', interval_seconds: '60', headers: 'no colon here' })).toThrow(/Name: value/);
    expect(() => parseMonitorInput({ name: 'x', url: 'https://a.b', interval_seconds: '60', auth_type: 'bearer' })).toThrow(/token for Bearer/);
    // Settings are typed, with their defaults.
    expect(parseMonitorInput({ name: 'x', url: 'https://a.b', interval_seconds: '60' }).settings).toMatchObject({
      url: 'https://a.b', method: 'GET', expected_status: '200-399', keyword: '', auth_type: 'none', follow_redirects: true, max_redirects: 10, ignore_tls: false, json_op: 'equals',
    });
  });
});

describe('HTTP requests shaped by the monitor', () => {
  it('sends custom headers, Basic auth and a POST body', async () => {
    const t = target({ url: `${a.url}/headers`, method: 'POST', headers: 'X-Api-Key: k-123', auth_type: 'basic', auth_user: 'ops', auth_pass: 's3cret', body: '{"ping":1}', json_path: '$.method', json_expected: 'POST' });
    const r = await httpProbe(t, open);
    expect(r).toMatchObject({ ok: true, statusCode: 200 });
    expect(a.lastHeaders!['x-api-key']).toBe('k-123');
    expect(a.lastHeaders!.authorization).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
  });

  it('does not forward credentials or custom headers when a redirect changes origin', async () => {
    const t = target({ url: `${a.url}/to?url=${encodeURIComponent(`${b.url}/headers`)}`, headers: 'X-Api-Key: k-123', auth_type: 'bearer', auth_token: 'tok' });
    expect((await httpProbe(t, open)).ok).toBe(true);
    expect(b.lastHeaders!.authorization).toBeUndefined();
    expect(b.lastHeaders!['x-api-key']).toBeUndefined();
  });

  it('with redirects off, the 3xx is the answer; with a maximum, longer chains fail', async () => {
    const off = await httpProbe(target({ url: `${a.url}/redirect/2`, follow_redirects: 'false', expected_status: '200' }), open);
    expect(off).toMatchObject({ ok: false, statusCode: 302, error: 'Unexpected status 302 (expected 200)' });
    const capped = await httpProbe(target({ url: `${a.url}/redirect/3`, max_redirects: '2' }), open);
    expect(capped.error).toBe('Too many redirects (more than 2)');
  });

  it('JSON, header and keyword-absent assertions fail with what was expected', async () => {
    const bad = await httpProbe(target({ url: `${a.url}/json`, json_path: '$.count', json_expected: '4' }), open);
    expect(bad.error).toBe('JSON $.count is 3, expected 4');
    const hdr = await httpProbe(target({ url: `${a.url}/json`, header_name: 'x-version', header_value: '7', keyword_absent: 'error' }), open);
    expect(hdr.ok).toBe(true);
  });
});
