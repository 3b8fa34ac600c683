import { describe, expect, it } from 'vitest';
import { isLocalhostName, isPrivateAddress, NetGuard, reservedRange } from '../../src/lib/net-guard.ts';

const blocking = new NetGuard({ block: true });

describe('address classification (IANA special-purpose ranges, through ipaddr.js)', () => {
  it.each([
    // IPv4 special-purpose, not globally reachable
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '0.1.2.3', '100.64.0.1',
    '192.0.0.8', '192.0.2.10', '198.51.100.7', '203.0.113.9', '198.18.0.1', '192.88.99.1', '224.0.0.1', '240.0.0.1', '255.255.255.255',
    // IPv6 special-purpose
    '::', '::1', 'fd00::1', 'fc00::1', 'fe80::1', 'fe80::1%eth0', 'fec0::1', 'ff02::1', '100::1', '2001:db8::1', '2001:2::1', '2001:10::1', '5f00::1', '3fff::1',
    // IPv4 inside IPv6
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '::ffff:0:127.0.0.1', '0:0:0:0:0:0:0:1', '[::1]',
    '64:ff9b::127.0.0.1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::8.8.8.8', '2002:7f00:1::', '2002:a9fe:a9fe::1',
    // Teredo whose client (inverted last 32 bits) is 127.0.0.1, and whose server is 10.0.0.1
    '2001:0:0808:0808::80ff:fffe', '2001:0:0a00:0001::f7f7:f7f7',
    // outside global unicast 2000::/3 and nonsense
    '4000::1', 'not-an-ip', '',
  ])('refuses %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
    expect(blocking.refusal(ip)).not.toBeNull();
  });

  it.each(['1.1.1.1', '8.8.8.8', '172.32.0.1', '192.175.48.1', '2606:4700:4700::1111', '2a00:1450:4001::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:0808:0808::1', '2001:0:0808:0808::f7f7:f7f7'])(
    'allows %s',
    (ip) => expect(reservedRange(ip)).toBeNull(),
  );

  it('names the range it refused, with the embedded address', () => {
    expect(reservedRange('169.254.169.254')).toBe('linkLocal');
    expect(reservedRange('2002:7f00:1::')).toBe('loopback (embedded 127.0.0.1)');
  });

  it('localhost names, with and without trailing dots', () => {
    for (const h of ['localhost', 'LOCALHOST', 'localhost.', 'a.b.localhost', 'x.localhost..']) expect(isLocalhostName(h)).toBe(true);
    for (const h of ['localhost.example.com', 'mylocalhost', 'example.com']) expect(isLocalhostName(h)).toBe(false);
  });
});

describe('NetGuard', () => {
  it('refuses literal private hosts, localhost and this instance at save time', () => {
    expect(blocking.urlRefusal(new URL('http://[::1]:80/'))).toMatch(/private/);
    expect(blocking.urlRefusal(new URL('http://localhost./'))).toMatch(/localhost/);
    expect(blocking.hostRefusal('::ffff:127.0.0.1')).toMatch(/private/);
    expect(blocking.hostRefusal('[fec0::1]')).toMatch(/private/);
    expect(blocking.urlRefusal(new URL('https://status.example.com/'), 'status.example.com')).toMatch(/itself/);
    expect(blocking.urlRefusal(new URL('https://example.com/'))).toBeNull();
  });

  it('an inactive guard refuses nothing', () => {
    const open = new NetGuard({ block: false });
    expect(open.refusal('127.0.0.1')).toBeNull();
    expect(open.hostRefusal('localhost')).toBeNull();
  });

  it('an allow entry exempts exactly its range (IPv4-mapped forms too)', () => {
    const g = new NetGuard({ block: true, allow: ['127.0.0.1/32', 'fd00:1::/64'] });
    expect(g.refusal('127.0.0.1')).toBeNull();
    expect(g.refusal('::ffff:127.0.0.1')).toBeNull();
    expect(g.refusal('127.0.0.2')).not.toBeNull();
    expect(g.refusal('::127.0.0.1')).not.toBeNull();
    expect(g.refusal('fd00:1::5')).toBeNull();
    expect(g.refusal('fd00:2::5')).not.toBeNull();
  });

  it('checks every address a name resolves to, and refuses the name when any is private', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'mixed.test': [{ address: '8.8.8.8', family: 4 }, { address: '10.0.0.1', family: 4 }],
      'public.test': [{ address: '8.8.4.4', family: 4 }],
      'empty.test': [],
    };
    const g = new NetGuard({ block: true, lookup: (host, _o, cb) => cb(null, answers[host] ?? []) });
    await expect(g.resolve('mixed.test')).rejects.toThrow(/mixed\.test resolves to 10\.0\.0\.1/);
    await expect(g.resolve('public.test')).resolves.toEqual({ address: '8.8.4.4', family: 4 });
    await expect(g.resolve('empty.test')).rejects.toThrow(/no addresses/);
    await expect(g.resolve('localhost.')).rejects.toMatchObject({ code: 'EBLOCKED' });
    await expect(g.resolve('169.254.169.254')).rejects.toMatchObject({ code: 'EBLOCKED' });
  });
});
