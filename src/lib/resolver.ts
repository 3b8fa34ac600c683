import { isIP } from 'node:net';

export interface Resolver {
  /** The address without brackets. */
  host: string;
  port: number;
  /** The form `dns.Resolver#setServers` takes: `1.1.1.1:53` or `[2606:4700::1111]:53`. */
  server: string;
}

export const RESOLVER_HINT = 'Enter a resolver IP address, e.g. 1.1.1.1, 9.9.9.9:53, 2606:4700::1111 or [2606:4700::1111]:53';

/**
 * Parses a DNS resolver as typed: `v4`, `v4:port`, `v6` alone, or `[v6]` / `[v6]:port`.
 * An unbracketed IPv6 address is never split at a colon (`::1` is an address, not `:` port 1),
 * and ports outside 1–65535 are refused instead of wrapping. Returns a message when invalid.
 */
export function parseResolver(raw: string): Resolver | string {
  const v = raw.trim();
  if (v.includes('%')) return `${RESOLVER_HINT} (without a zone index like %eth0)`;
  let host: string;
  let port = '53';
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(v);
  if (bracketed) {
    host = bracketed[1]!;
    if (isIP(host) !== 6) return `${RESOLVER_HINT} (brackets hold an IPv6 address)`;
    if (bracketed[2] !== undefined) port = bracketed[2];
  } else if (isIP(v) !== 0) {
    host = v;
  } else {
    const m = /^([^:]+):([^:]*)$/.exec(v);
    if (!m || isIP(m[1]!) !== 4) return RESOLVER_HINT;
    host = m[1]!;
    port = m[2]!;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'The resolver port must be a number from 1 to 65535';
  const n = Number(port);
  return { host, port: n, server: isIP(host) === 6 ? `[${host}]:${n}` : `${host}:${n}` };
}
