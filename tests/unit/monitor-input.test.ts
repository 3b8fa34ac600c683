import { describe, expect, it } from 'vitest';
import { parseStatusRanges, statusMatches } from '../../src/domain/checks/probes/assertions.ts';
import { monitorInputSchema } from '../../src/domain/monitors/monitors.ts';
import { ValidationError } from '../../src/lib/errors.ts';
import { parseInput } from '../../src/lib/validate.ts';

describe('monitor input', () => {
  it('applies the documented defaults', () => {
    const v = parseInput(monitorInputSchema, { name: 'Site', url: 'https://example.com', interval_seconds: '60' });
    expect(v).toMatchObject({ method: 'GET', expected_status: '200-399', timeout_seconds: 10, failure_threshold: 3, keyword: null });
  });

  it('names each invalid field', () => {
    try {
      parseInput(monitorInputSchema, { name: '', url: 'ftp://x', interval_seconds: 'abc', method: 'PUT' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      const f = (err as ValidationError).fields;
      expect(f.name).toMatch(/name/);
      expect(f.url).toMatch(/http/);
      expect(f.interval_seconds).toMatch(/number/);
      expect(f.method).toMatch(/GET, HEAD or POST/);
    }
  });

  it('rejects a timeout longer than the interval and a keyword with HEAD', () => {
    expect(() => parseInput(monitorInputSchema, { name: 'a', url: 'http://a.b', interval_seconds: '5', timeout_seconds: '10' })).toThrow(
      /Timeout must not exceed/,
    );
    expect(() => parseInput(monitorInputSchema, { name: 'a', url: 'http://a.b', interval_seconds: '60', method: 'HEAD', keyword: 'x' })).toThrow(
      /HEAD responses have no body/,
    );
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
