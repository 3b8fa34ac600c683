import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParsedMonitor, parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { targetRefusal } from '../../src/domain/monitors/monitors.service.ts';
import { ValidationError } from '../../src/lib/errors.ts';
import { NetGuard } from '../../src/lib/net-guard.ts';
import { parseResolver } from '../../src/lib/resolver.ts';

// Properties of the parsers that face users: whatever comes in, validation either accepts
// it or says why (a ValidationError, never another exception), and nothing it accepts is a
// target the guard would refuse when the worker connects.

const guard = new NetGuard({ block: true });
const RUNS = { numRuns: 400 };

/** Parses, or returns null when validation refused; anything else thrown fails the property. */
function parse(raw: Record<string, unknown>): ParsedMonitor | null {
  try {
    return parseMonitorInput(raw);
  } catch (err) {
    if (err instanceof ValidationError) return null;
    throw err;
  }
}

const tricky = fc.constantFrom(
  'localhost', 'localhost.', 'LOCALHOST..', 'a.localhost', '127.1', '0x7f.1', '0177.0.0.1', '2130706433', '0', '::', '::1', '[::1]', '::ffff:127.0.0.1',
  '::127.0.0.1', '[::ffff:7f00:1]', '0:0:0:0:0:0:0:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', 'fec0::1', '100::1', '169.254.169.254', '192.0.2.1',
  '[fe80::1%25eth0]', 'fe80::1%eth0', '1.1.1.1', 'example.com', 'xn--bcher-kva.example', '_srv.example.com', '-x', 'a..b', '[example.com]', '',
);
const hostLike = fc.oneof(tricky, fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.ipV6().map((v) => `[${v}]`), fc.domain(), fc.string({ maxLength: 40 }));
const withPort = fc.tuple(hostLike, fc.oneof(fc.constant(''), fc.integer({ min: -5, max: 70000 }).map((p) => `:${p}`), fc.string({ maxLength: 6 }).map((s) => `:${s}`)));

/** What the worker connects to for this monitor, as a host (literal or name). */
function connectHost(m: ParsedMonitor): string {
  if (m.type === 'http' || m.type === 'browser') return new URL(m.url).hostname.replace(/^\[|\]$/g, '');
  return m.settings.host as string;
}

/** The guard's connect-time verdict on a literal address; names are judged when resolved. */
function connectRefused(host: string): boolean {
  if (isIP(host)) return guard.refusal(host) !== null;
  return /^localhost\.*$|\.localhost\.*$/i.test(host);
}

describe('user-facing parsers (property-based)', () => {
  it('HTTP URLs: refused or accepted, never a throw; accepted ones are not refused at connect time', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), withPort.map(([h, p]) => `http://${h}${p}/x`), fc.string({ maxLength: 60 })), (url) => {
        const m = parse({ name: 'p', url, interval_seconds: '60' });
        if (!m || targetRefusal(m, guard)) return;
        expect(connectRefused(connectHost(m)), url).toBe(false);
      }),
      RUNS,
    );
  });

  it('TCP, TLS and ping hosts: the same, and ports stay 1–65535', () => {
    fc.assert(
      fc.property(fc.constantFrom('tcp', 'tls', 'ping'), hostLike, fc.oneof(fc.integer({ min: -10, max: 70000 }).map(String), fc.string({ maxLength: 6 })), (type, host, port) => {
        const m = parse({ type, name: 'p', host, port, interval_seconds: '60' });
        if (!m) return;
        if (m.settings.port !== undefined) expect(Number(m.settings.port)).toBeGreaterThanOrEqual(1);
        if (m.settings.port !== undefined) expect(Number(m.settings.port)).toBeLessThanOrEqual(65535);
        expect(() => new URL(m.url.replace(/^\w+:/, 'http:'))).not.toThrow();
        if (targetRefusal(m, guard)) return;
        expect(connectRefused(connectHost(m)), host).toBe(false);
      }),
      RUNS,
    );
  });

  it('DNS resolvers: parsed into an address and port Node accepts, or refused with a message', () => {
    fc.assert(
      fc.property(withPort.map(([h, p]) => `${h}${p}`), (raw) => {
        const r = parseResolver(raw);
        if (typeof r === 'string') return;
        expect(isIP(r.host), raw).not.toBe(0);
        expect(r.port >= 1 && r.port <= 65535).toBe(true);
        expect(() => new Resolver().setServers([r.server])).not.toThrow();
        const m = parse({ type: 'dns', name: 'p', host: 'example.com', resolver: raw, interval_seconds: '60' });
        expect(m?.settings.resolver, raw).toBe(raw.trim());
        if (m && !targetRefusal(m, guard)) expect(guard.refusal(r.host), raw).toBeNull();
      }),
      RUNS,
    );
  });

  it('expected statuses, intervals, timeouts, headers, cron schedules and time zones never throw past validation', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }));
    fc.assert(
      fc.property(
        fc.record({
          expected_status: fc.oneof(anyText, fc.array(fc.integer({ min: -1, max: 1000 }), { maxLength: 4 }).map((a) => a.join('-'))),
          interval_seconds: fc.oneof(anyText, fc.integer({ min: -10, max: 200_000 }).map(String)),
          timeout_seconds: fc.oneof(anyText, fc.double().map(String)),
          headers: fc.array(fc.tuple(anyText, anyText).map(([k, v]) => `${k}: ${v}`), { maxLength: 3 }).map((l) => l.join('\n')),
          max_redirects: anyText,
          retries: anyText,
        }),
        fc.record({ cron: fc.oneof(anyText, fc.constantFrom('0 3 * * *', '*/5 * * * *', '61 * * * *', '* * * * * * *')), timezone: fc.oneof(anyText, fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Olympus')), grace_seconds: anyText }),
        (http, beat) => {
          const m = parse({ name: 'p', url: 'https://example.com/', ...http });
          if (m) expect(m.interval_seconds).toBeGreaterThanOrEqual(1);
          parse({ type: 'heartbeat', name: 'h', interval_seconds: '60', ...beat });
        },
      ),
      RUNS,
    );
  });
});
