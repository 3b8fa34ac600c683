import { isIP } from 'node:net';

/*
 * The connection URL every network check type is configured by, as users paste it: parsing
 * with a sentence for each mistake, the host-name rules, host:port, the display without
 * secrets, and the hosts the guard checks at save time.
 */

export interface SchemeSpec {
  /** The port when the URL names none; absent = the URL must name one. */
  port?: number;
  /** TLS from the first byte. */
  tls: boolean;
}

export interface UrlSpec {
  /** What the URL is for, in messages: "RabbitMQ", "MQTT". */
  protocol: string;
  /** Accepted schemes without "://", e.g. { amqp: {port: 5672, tls: false}, amqps: {…} }. */
  schemes: Readonly<Record<string, SchemeSpec>>;
  example: string;
  /** Whether user:password@ is meaningful; when false a URL carrying them is refused. */
  credentials: boolean;
  /** Extra advice for schemes people paste by mistake, e.g. { https: 'use wss://' }. */
  hints?: Readonly<Record<string, string>>;
}

export interface ConnectionUrl {
  scheme: string;
  tls: boolean;
  /** Host name (lower case) or IP address, IPv6 without brackets. */
  host: string;
  port: number;
  username: string;
  password: string;
  /** Decoded path without the leading slash (AMQP vhost; WebSocket keeps `path`). */
  path: string;
  /** Path and query as written, for protocols that send them (WebSocket). */
  pathAndQuery: string;
  query: URLSearchParams;
}

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/** A DNS name (not an IP address): labels of letters, digits, - and _, and a top level that is not all digits (that would be a mistyped IPv4 address). */
export function isHostName(host: string): boolean {
  return HOST_NAME.test(host) && !/^\d+$/.test(host.replace(/\.$/, '').split('.').pop()!);
}

/** A URL's hostname without the brackets of an IPv6 address. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

/** host:port with IPv6 addresses in brackets. */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** A %-escaped URL part decoded; null when an escape is broken. */
export function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** The hosts of a parsed URL for the guard's save-time check: none when it did not parse (a sentence). */
export function hostsOf(parsed: { host: string } | string): string[] {
  return typeof parsed === 'string' ? [] : [parsed.host];
}

function list(names: string[]): string {
  const s = names.map((n) => `${n}://`);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s.at(-1)}`;
}

/** "an amqp://", "an MQTT", "a NATS": by how the word is spoken. */
function article(word: string): string {
  return /^(?:[aeiou]|mqtt|smtp)/i.test(word) ? 'an' : 'a';
}

/** What is wrong with the scheme, or the scheme's spec when it is one of ours. */
function schemeOf(text: string, spec: UrlSpec, use: string): [string, SchemeSpec] | string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!m) return `Enter the whole URL with its scheme: ${use.charAt(0).toLowerCase()}${use.slice(1)}`;
  const scheme = m[1]!.toLowerCase();
  const known = spec.schemes[scheme];
  if (known) return [scheme, known];
  const hint = spec.hints?.[scheme];
  return `${scheme}:// is not ${article(spec.protocol)} ${spec.protocol} URL${hint ? ` (${hint})` : ''}. ${use}`;
}

/** What is wrong with the URL's host, or null. */
function hostMistake(u: URL, host: string, use: string): string | null {
  if (host === '') return `Add the server's host name. ${use}`;
  if (host.includes('%')) return 'Zone indexes like %eth0 are not supported; enter the address without it';
  const bracketed = u.hostname.startsWith('[');
  if (bracketed ? isIP(host) !== 6 : isIP(host) === 0 && !isHostName(host)) return `${host} is not a host name or IP address. ${use}`;
  return null;
}

/** Parses a connection URL, or says in one sentence what is wrong with it. */
export function parseConnectionUrl(raw: string, spec: UrlSpec): ConnectionUrl | string {
  const schemes = Object.keys(spec.schemes);
  const use = `Use ${article(schemes[0]!)} ${list(schemes)} URL, like ${spec.example}`;
  const text = raw.trim();
  const scheme = schemeOf(text, spec, use);
  if (typeof scheme === 'string') return scheme;
  const [name, known] = scheme;
  if (/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?=[:/?#]|$)/i.test(text)) return `Add the server's host name. ${use}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `Not a valid URL. ${use}`;
  }
  if (/\s/.test(text)) return `URLs cannot contain spaces. ${use}`;
  const host = bareHost(u.hostname).toLowerCase();
  const mistake = hostMistake(u, host, use);
  if (mistake) return mistake;
  if (u.port === '' && known.port === undefined) return `Add the port, like ${spec.example}`;
  const port = u.port === '' ? known.port! : Number(u.port);
  if (port < 1 || port > 65535) return 'Ports are 1–65535';
  if (!spec.credentials && (u.username || u.password)) return `${spec.protocol} checks do not log in: remove the user name and password from the URL`;
  if (u.hash) return `Remove the #fragment from the URL`;
  const plain = (part: string) => decode(part) ?? part; // a broken escape is kept as written
  return {
    scheme: name,
    tls: known.tls,
    host,
    port,
    username: plain(u.username),
    password: plain(u.password),
    path: plain(u.pathname.replace(/^\//, '')),
    pathAndQuery: `${u.pathname || '/'}${u.search}`,
    query: u.searchParams,
  };
}

/**
 * The URL as lists, alerts and status pages show it: never the password, the user name only
 * beside a password (a lone user name is a token for NATS and some MQTT services), the query
 * only as "?…" (WebSocket URLs carry tokens there).
 */
export function displayUrl(raw: string, spec: UrlSpec, opts: { path?: boolean } = {}): string {
  const u = parseConnectionUrl(raw, spec);
  if (typeof u === 'string') return raw.replace(/\/\/[^@/?#]*@/, '//');
  const user = u.password && u.username ? `${encodeURIComponent(u.username)}@` : '';
  const path = opts.path === false ? '' : u.pathAndQuery.split('?')[0]!.replace(/^\/$/, '');
  const query = u.query.size > 0 ? '?…' : '';
  return `${u.scheme}://${user}${hostPort(u.host, u.port)}${path}${opts.path === false ? '' : query}`;
}

/** The host a stored URL names, for the guard's save-time check; none when it does not parse. */
export function urlHosts(raw: string, spec: UrlSpec): string[] {
  return hostsOf(parseConnectionUrl(raw, spec));
}
