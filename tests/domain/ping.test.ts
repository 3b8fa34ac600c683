import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pingProbe, validPingHost } from '../../src/domain/checks/probes/ping.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { NetGuard } from '../../src/lib/net-guard.ts';
import { OPEN_GUARD, BLOCK_ALL } from '../helpers/fixtures.ts';

function hasPing(): boolean {
  try {
    execFileSync('ping', ['-c', '1', '-W', '1', '-n', '127.0.0.1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const open = { guard: OPEN_GUARD };

describe('ping input', () => {
  it('accepts host names and addresses, never something ping could read as an option', () => {
    expect(validPingHost('example.com')).toBe(true);
    expect(validPingHost('2001:db8::1')).toBe(true);
    expect(validPingHost('-f')).toBe(false);
    expect(validPingHost('a.com; rm -rf /')).toBe(false);
    expect(() => parseMonitorInput({ type: 'ping', name: 'x', host: '-c1000', interval_seconds: '60' })).toThrow(/host name/);
  });
});

describe.skipIf(!hasPing())('ping through the system binary', () => {
  it('loopback answers with no loss and a round-trip time', async () => {
    const r = await pingProbe({ host: '127.0.0.1', count: 2, maxLossPercent: 0, timeoutMs: 2000 }, open);
    expect(r).toMatchObject({ ok: true, error: null });
    expect(r.responseMs).toBeLessThan(100);
  });

  it('an address that never answers is 100% packet loss', async () => {
    const r = await pingProbe({ host: '198.51.100.1', count: 1, maxLossPercent: 0, timeoutMs: 1000 }, open);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^(Packet loss 100% \(limit 0%\)|Ping failed: .*unreachable.*)$/i);
  });

  it('refuses private addresses when the guard is on', async () => {
    expect((await pingProbe({ host: '127.0.0.1', count: 1, maxLossPercent: 0, timeoutMs: 1000 }, { guard: BLOCK_ALL })).error).toMatch(/^Blocked/);
  });

  // Names resolve through the guard and ping is handed the checked address: "internal.test"
  // and "public.test" exist only in the guard's lookup, so ping could never resolve them itself.
  const names = new NetGuard({
    block: true,
    allow: ['127.0.0.1/32'],
    lookup: (host, _o, cb) => cb(null, host === 'public.test' ? [{ address: '127.0.0.1', family: 4 }] : host === 'internal.test' ? [{ address: '127.0.0.2', family: 4 }] : []),
  });

  it('refuses a name that resolves to an internal address, before ping runs', async () => {
    const r = await pingProbe({ host: 'internal.test', count: 1, maxLossPercent: 0, timeoutMs: 1000 }, { guard: names });
    expect(r.error).toBe('Blocked: internal.test resolves to 127.0.0.2, a private or reserved address; checks of internal networks are not allowed on this instance');
    expect((await pingProbe({ host: 'localhost.', count: 1, maxLossPercent: 0, timeoutMs: 1000 }, { guard: names })).error).toMatch(/^Blocked/);
  });

  it('pings the address the guard checked, not the name', async () => {
    expect(await pingProbe({ host: 'public.test', count: 1, maxLossPercent: 0, timeoutMs: 2000 }, { guard: names })).toMatchObject({ ok: true, error: null });
    expect((await pingProbe({ host: 'nowhere.test', count: 1, maxLossPercent: 0, timeoutMs: 1000 }, { guard: names })).error).toBe('DNS failure: could not resolve nowhere.test');
  });
});
