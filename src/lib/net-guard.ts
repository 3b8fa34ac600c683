import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a SaaS instance must never connect to on a user's behalf: loopback, RFC 1918,
 * link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local IPv6, unspecified,
 * and IPv4-mapped IPv6 forms of all of these.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return blocked.check(address, 'ipv4');
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private or reserved address; checks of internal networks are not allowed on this instance`);
  }
}

/** A dns.lookup replacement for the socket connector that refuses private addresses. */
export function guardedLookup(
  hostname: string,
  options: object,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new BlockedAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, '', 0);
    if ((options as { all?: boolean }).all) return callback(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
}

/** Literal-IP hosts skip DNS, so they are checked before connecting. */
export function literalHostViolation(url: URL, ownHost?: string): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ownHost && host.toLowerCase() === ownHost.toLowerCase()) return `${host} is this StatusPing instance itself; it cannot monitor itself from here`;
  if (isIP(host) && isPrivateAddress(host)) {
    return `${host} is a private or reserved address; checks of internal networks are not allowed on this instance`;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return 'localhost is not allowed on this instance';
  }
  return null;
}
