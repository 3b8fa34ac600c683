import ipaddr from 'ipaddr.js';

/**
 * The key a per-client-IP rate limit counts under. IPv4 clients are one address each; an
 * IPv6 client is its /64, because one subscriber (a home line, a VPS) routinely gets a
 * whole /64 and could otherwise draw a fresh budget from each of its 2^64 addresses.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) is the IPv4 it maps,
 * and any spelling of one address gives one key. Anything that is not an address (`unknown`
 * when there is no socket) is kept as it is.
 */
export function clientKey(ip: string): string {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip.trim());
  } catch {
    return ip;
  }
  if (addr.kind() === 'ipv4') return addr.toString();
  const net = new ipaddr.IPv6([...(addr as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]);
  return `${net.toRFC5952String()}/64`;
}
