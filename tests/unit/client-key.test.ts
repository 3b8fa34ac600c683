import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKey } from '../../src/lib/client-key.ts';

const group = fc.integer({ min: 0, max: 0xffff });
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
const v6 = (g: number[]) => g.map((n) => n.toString(16)).join(':');

describe('clientKey: what a per-IP limit counts under', () => {
  it('IPv4 is the full address, in any spelling; IPv4-mapped IPv6 is that IPv4', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('203.0.113.8')).toBe('203.0.113.8');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientKey('127.1')).toBe('127.0.0.1');
  });

  it('IPv6 is its /64, however it is written (zone, case, zero runs)', () => {
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2::ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
  });

  it('what is not an address is kept as it is', () => {
    expect(clientKey('unknown')).toBe('unknown');
    expect(clientKey('')).toBe('');
  });

  it('any two addresses share a key exactly when their first 64 bits match', () => {
    fc.assert(
      fc.property(groups, groups, (a, b) => {
        const sameNet = a.slice(0, 4).every((n, i) => n === b[i]);
        // ::ffff:0:0/96 is IPv4-mapped and keyed as IPv4 instead; leave it to the test above.
        const mapped = (g: number[]) => g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff;
        fc.pre(!mapped(a) && !mapped(b));
        expect(clientKey(v6(a)) === clientKey(v6(b))).toBe(sameNet);
      }),
    );
    fc.assert(
      fc.property(groups, fc.array(group, { minLength: 4, maxLength: 4 }), (a, tail) => {
        fc.pre(!(a.slice(0, 5).every((n) => n === 0) && a[5] === 0xffff));
        expect(clientKey(v6([...a.slice(0, 4), ...tail]))).toBe(clientKey(v6(a)));
      }),
    );
  });
});
