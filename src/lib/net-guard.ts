import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * The SSRF guard: which addresses a SaaS instance may connect to on a user's behalf.
 *
 * Classification comes from ipaddr.js, which keeps the IANA special-purpose registries;
 * a hand-made list had holes (::127.0.0.1, 6to4, NAT64, fec0::/10, 192.0.2.0/24 …).
 * The rule, fail-closed:
 *   1. Anything that does not parse as an address is refused.
 *   2. IPv4: only ordinary unicast, plus the special ranges IANA marks globally reachable
 *      (AS112, AMT). Loopback, private, link-local (cloud metadata), CGNAT, documentation,
 *      benchmarking, multicast, reserved and broadcast are refused.
 *   3. IPv6 that embeds an IPv4 address (IPv4-mapped, IPv4-compatible, IPv4-translated,
 *      NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32) is decided by the IPv4
 *      address inside (both of Teredo's). NAT64 local-use 64:ff9b:1::/48 is refused.
 *   4. Other IPv6: only inside global unicast 2000::/3, and not in a special range that is
 *      not globally reachable (documentation, benchmarking, ORCHIDv1, segment routing …).
 *   5. An operator's allow list (ALLOWED_PRIVATE_TARGETS, CIDRs) exempts chosen ranges.
 */

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

const V4_GLOBAL = new Set(['unicast', 'as112', 'amt']);
const V6_GLOBAL = new Set(['unicast', 'as112v6', 'amt', 'orchid2', 'droneRemoteIdProtocolEntityTags']);
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

function v4FromWords(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/** The IPv4 addresses an IPv6 address carries (and routes to), or null when it carries none. */
export function embeddedIPv4(a: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = a.parts;
  const range = a.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return [v4FromWords(p[6]!, p[7]!)];
  if (range === 'rfc6052' && p[2] === 0) return [v4FromWords(p[6]!, p[7]!)]; // 64:ff9b::/96 only
  if (range === '6to4') return [v4FromWords(p[1]!, p[2]!)];
  // Teredo: the server's address in clear, the client's inverted in the last 32 bits.
  if (range === 'teredo') return [v4FromWords(p[2]!, p[3]!), v4FromWords(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
  // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks); :: and ::1 excluded.
  if (p.slice(0, 6).every((w) => w === 0) && (p[6] !== 0 || p[7]! > 1)) return [v4FromWords(p[6]!, p[7]!)];
  return null;
}

function v4Reason(a: ipaddr.IPv4): string | null {
  const range = a.range();
  return V4_GLOBAL.has(range) ? null : range;
}

function v6Reason(a: ipaddr.IPv6): string | null {
  const inner = embeddedIPv4(a);
  if (inner) {
    for (const v4 of inner) {
      const why = v4Reason(v4);
      if (why) return `${why} (embedded ${v4.toString()})`;
    }
    return null;
  }
  const range = a.range();
  if (!V6_GLOBAL.has(range)) return range;
  if (!a.match(GLOBAL_UNICAST)) return 'not global unicast';
  return null;
}

/** Dotted IPv4 tails as hex words: ipaddr.js reads `::1.2.3.4` as IPv4-mapped, which it is not. */
function hexTail(v6: string): string {
  return v6.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
}

function parse(address: string): Addr | null {
  try {
    const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    return ipaddr.parse(bare.includes(':') ? hexTail(bare) : bare);
  } catch {
    return null;
  }
}

/** Why an IP address is not a public destination (the range's name), or null when it is. Non-addresses are refused. */
export function reservedRange(address: string): string | null {
  const a = parse(address);
  if (!a || isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')) === 0) return 'not an IP address';
  return a.kind() === 'ipv4' ? v4Reason(a as ipaddr.IPv4) : v6Reason(a as ipaddr.IPv6);
}

export function isPrivateAddress(address: string): boolean {
  return reservedRange(address) !== null;
}

/** `localhost`, `*.localhost`, with or without the trailing dot (RFC 6761 names that always mean this machine). */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.+$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string) {
    super(
      host === address
        ? `${address} is a private or reserved address; checks of internal networks are not allowed on this instance`
        : `${host} resolves to ${address}, a private or reserved address; checks of internal networks are not allowed on this instance`,
    );
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFn = (hostname: string, options: object, callback: LookupCallback) => void;

export interface NetGuardOptions {
  /** Refuse private and reserved destinations (SaaS mode or BLOCK_PRIVATE_TARGETS=1). */
  block: boolean;
  /** CIDR ranges exempted from the block (ALLOWED_PRIVATE_TARGETS). */
  allow?: readonly string[];
  /** Name resolution; a parameter so tests can map names to chosen addresses. */
  lookup?: LookupFn;
}

/**
 * One guard for every outgoing connection made for a user: probes, alert deliveries,
 * subscriber webhooks, the browser's proxy. When inactive (self-hosted) it lets everything
 * through; when active it refuses what `reservedRange` names, at connect time.
 */
export class NetGuard {
  readonly active: boolean;
  private readonly allow: [Addr, number][];
  private readonly resolveName: LookupFn;

  constructor(opts: NetGuardOptions) {
    this.active = opts.block;
    this.allow = (opts.allow ?? []).map((cidr) => ipaddr.parseCIDR(cidr));
    this.resolveName = opts.lookup ?? (dnsLookup as unknown as LookupFn);
  }

  /** Why connecting to this address is refused, or null (always null when inactive). */
  refusal(address: string): string | null {
    if (!this.active) return null;
    const why = reservedRange(address);
    if (!why) return null;
    const a = parse(address);
    if (a && this.allowed(a)) return null;
    return why;
  }

  private allowed(a: Addr): boolean {
    const plain = a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
    return this.allow.some(([net, bits]) => net.kind() === plain.kind() && plain.match(net, bits));
  }

  /** A dns.lookup replacement for socket connectors: every answer is checked, one bad answer refuses the name. */
  readonly lookup: LookupFn = (hostname, options, callback) => {
    if (!this.active) return this.resolveName(hostname, options, callback);
    if (isLocalhostName(hostname)) return callback(new BlockedAddressError(hostname, '127.0.0.1') as NodeJS.ErrnoException, '', 0);
    const literal = isIP(hostname.replace(/^\[|\]$/g, ''));
    const answer = (list: LookupAddress[]) => {
      const bad = list.find((a) => this.refusal(a.address));
      if (bad) return callback(new BlockedAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    };
    if (literal) return answer([{ address: hostname.replace(/^\[|\]$/g, ''), family: literal }]);
    this.resolveName(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname}: no addresses`), { code: 'ENOTFOUND' }), '', 0);
      answer(list);
    });
  };

  /** Resolves a host to one checked address (for tools that must be handed an address, not a name). */
  resolve(host: string): Promise<LookupAddress> {
    return new Promise((resolve, reject) => {
      this.lookup(host, { all: false }, (err, address, family) => (err ? reject(err) : resolve({ address: address as string, family: family ?? 4 })));
    });
  }

  /**
   * Save-time check of a host as typed: refused names (localhost), literal addresses in a
   * refused range, this instance's own host. Names are re-checked at every connection.
   */
  hostRefusal(rawHost: string, ownHost?: string): string | null {
    const host = rawHost.replace(/^\[|\]$/g, '');
    if (!this.active) return null;
    if (isLocalhostName(host)) return 'localhost is not allowed on this instance';
    const bare = host.toLowerCase().replace(/\.+$/, '');
    if (ownHost && bare === ownHost.toLowerCase().replace(/\.+$/, '')) return `${host} is this StatusPing instance itself; it cannot monitor itself from here`;
    if (isIP(host) && this.refusal(host)) return `${host} is a private or reserved address; checks of internal networks are not allowed on this instance`;
    return null;
  }

  /** `hostRefusal` for a URL. */
  urlRefusal(url: URL, ownHost?: string): string | null {
    return this.hostRefusal(url.hostname, ownHost);
  }
}

/** The guard of a self-hosted instance: nothing refused. */
export const OPEN_GUARD = new NetGuard({ block: false });
