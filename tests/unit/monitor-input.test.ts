import { describe, expect, it } from 'vitest';
import { parseStatusRanges, statusMatches } from '../../src/domain/checks/probes/assertions.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { monitorInputSchema } from '../../src/domain/monitors/monitors.ts';
import { ValidationError } from '../../src/lib/errors.ts';
import { parseInput } from '../../src/lib/validate.ts';

function fieldsOf(fn: () => unknown): Record<string, string> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fields;
  }
  return expect.fail('should throw');
}

describe('monitor input', () => {
  it('applies the documented defaults', () => {
    expect(parseInput(monitorInputSchema, { name: 'Site', interval_seconds: '60' })).toMatchObject({ timeout_seconds: 10, failure_threshold: 3, retries: 1, is_public: true });
    const m = parseMonitorInput({ name: 'Site', url: 'https://example.com', interval_seconds: '60' });
    expect(m).toMatchObject({ type: 'http', url: 'https://example.com', timeout_seconds: 10, failure_threshold: 3 });
    expect(m.settings).toMatchObject({ method: 'GET', expected_status: '200-399', keyword: '' });
  });

  it('names each invalid field, common and the type’s own together', () => {
    const f = fieldsOf(() => parseMonitorInput({ name: '', url: 'ftp://x', interval_seconds: 'abc', method: 'PUT' }));
    expect(f.name).toMatch(/name/);
    expect(f.url).toMatch(/http/);
    expect(f.interval_seconds).toMatch(/number/);
    expect(f.method).toMatch(/GET, HEAD or POST/);
  });

  it('rejects a timeout longer than the interval and a keyword with HEAD', () => {
    expect(() => parseMonitorInput({ name: 'a', url: 'http://a.b', interval_seconds: '5', timeout_seconds: '10' })).toThrow(/Timeout must not exceed/);
    expect(() => parseMonitorInput({ name: 'a', url: 'http://a.b', interval_seconds: '60', method: 'HEAD', keyword: 'x' })).toThrow(/HEAD responses have no body/);
  });

  it('strict input (the API) refuses a field the type does not have; forms may carry extras', () => {
    const f = fieldsOf(() => parseMonitorInput({ type: 'tcp', name: 'a', host: 'db.example.com', port: 5432, interval_seconds: 60, url: 'https://x.example' }, { strict: true }));
    expect(f).toEqual({ url: 'Not a field of TCP port monitors' });
    expect(parseMonitorInput({ type: 'tcp', name: 'a', host: 'db.example.com', port: '5432', interval_seconds: '60', _csrf: 'x' }).settings).toEqual({ host: 'db.example.com', port: 5432 });
  });

  it('parses status lists and ranges', () => {
    const r = parseStatusRanges('200-299, 301');
    expect(statusMatches(r, 204)).toBe(true);
    expect(statusMatches(r, 301)).toBe(true);
    expect(statusMatches(r, 302)).toBe(false);
    expect(() => parseStatusRanges('abc')).toThrow(/not a status code/);
    expect(() => parseStatusRanges('299-200')).toThrow(/reversed/);
  });
});
