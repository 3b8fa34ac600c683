import { describe, expect, it } from 'vitest';
import { isPrivateAddress, literalHostViolation } from '../../src/lib/net-guard.ts';

describe('private address guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'])(
    'blocks %s',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );
  it.each(['1.1.1.1', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'])('allows %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('refuses literal private hosts and localhost in URLs', () => {
    expect(literalHostViolation(new URL('http://[::1]:80/'))).toMatch(/private/);
    expect(literalHostViolation(new URL('http://localhost/'))).toMatch(/localhost/);
    expect(literalHostViolation(new URL('https://example.com/'))).toBeNull();
  });
});
