import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { parseResolver } from '../../src/lib/resolver.ts';

describe('DNS resolver parsing', () => {
  it.each([
    ['1.1.1.1', '1.1.1.1', 53, '1.1.1.1:53'],
    ['9.9.9.9:5353', '9.9.9.9', 5353, '9.9.9.9:5353'],
    ['::1', '::1', 53, '[::1]:53'],
    ['::ffff:7f00:1', '::ffff:7f00:1', 53, '[::ffff:7f00:1]:53'],
    ['0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1', 53, '[0:0:0:0:0:0:0:1]:53'],
    ['2606:4700::1111', '2606:4700::1111', 53, '[2606:4700::1111]:53'],
    ['[2606:4700::1111]', '2606:4700::1111', 53, '[2606:4700::1111]:53'],
    ['[2606:4700::1111]:853', '2606:4700::1111', 853, '[2606:4700::1111]:853'],
  ])('%s → %s port %d', (raw, host, port, server) => {
    expect(parseResolver(raw)).toEqual({ host, port, server });
  });

  it.each(['1.1.1.1:99999', '1.1.1.1:0', '[::1]:65536', '1.1.1.1:', '[1.1.1.1]:53', 'dns.google', 'dns.google:53', '::1:53:x', '[::1', '1.1.1', '1.1.1.1:53:53'])('refuses %s', (raw) => {
    expect(typeof parseResolver(raw)).toBe('string');
  });

  it('the DNS monitor form refuses a bad resolver with a field error, and keeps IPv6 whole', () => {
    expect(() => parseMonitorInput({ type: 'dns', name: 'd', host: 'example.com', resolver: '1.1.1.1:99999', interval_seconds: 60 })).toThrow(/1 to 65535/);
    const ok = parseMonitorInput({ type: 'dns', name: 'd', host: 'example.com', resolver: '::1', interval_seconds: 60 });
    expect(ok.settings.resolver).toBe('::1');
  });

  it('DNS_VERIFY_RESOLVER is normalised the same way', () => {
    expect(loadConfig({ DNS_VERIFY_RESOLVER: '::1' }).dnsVerifyResolver).toBe('[::1]:53');
    expect(() => loadConfig({ DNS_VERIFY_RESOLVER: '1.1.1.1:99999' })).toThrow(/DNS_VERIFY_RESOLVER/);
  });
});

describe('hosts of TCP, TLS, DNS and ping monitors', () => {
  it.each([
    ['tcp', '::1', 'tcp://[::1]:22'],
    ['tcp', '[2001:db8::5]', 'tcp://[2001:db8::5]:22'],
    ['tls', '::ffff:127.0.0.1', 'tls://[::ffff:127.0.0.1]:22'],
    ['ping', '::1', 'ping://[::1]'],
    ['tcp', 'db.example.com.', 'tcp://db.example.com.:22'],
  ])('%s %s is stored bare and shown as %s', (type, host, url) => {
    const m = parseMonitorInput({ type, name: 'x', host, port: '22', interval_seconds: 60 });
    expect(m.url).toBe(url);
    expect(m.settings.host).toBe(host.replace(/^\[|\]$/g, ''));
  });

  it.each(['::1::2', '1:2:3', '127.1', '10.0.0', 'a..b', '-x.example.com', 'exa mple.com', '[example.com]'])('refuses %s with a field error', (host) => {
    try {
      parseMonitorInput({ type: 'tcp', name: 'x', host, port: '22', interval_seconds: 60 });
      expect.unreachable();
    } catch (err) {
      expect((err as { fields: Record<string, string> }).fields.host).toBeTruthy();
    }
  });
});
