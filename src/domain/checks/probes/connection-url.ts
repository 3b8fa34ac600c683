import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';

/*
 * What the connection check types (AMQP, MQTT, NATS, SMTP, WebSocket, gRPC) share: the one
 * connection URL they are configured by (as users paste it), its display without secrets,
 * the settings helpers that read form strings and API JSON alike, one deadline over the
 * whole check, and plain sentences for network and certificate failures.
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

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function list(names: string[]): string {
  const s = names.map((n) => `${n}://`);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s.at(-1)}`;
}

/** "an amqp://", "an MQTT", "a NATS": by how the word is spoken. */
function article(word: string): string {
  return /^(?:[aeiou]|mqtt|smtp)/i.test(word) ? 'an' : 'a';
}

/** Parses a connection URL, or says in one sentence what is wrong with it. */
export function parseConnectionUrl(raw: string, spec: UrlSpec): ConnectionUrl | string {
  const schemes = Object.keys(spec.schemes);
  const use = `Use ${article(schemes[0]!)} ${list(schemes)} URL, like ${spec.example}`;
  const text = raw.trim();
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!m) return `Enter the whole URL with its scheme: ${use.charAt(0).toLowerCase()}${use.slice(1)}`;
  const scheme = m[1]!.toLowerCase();
  const known = spec.schemes[scheme];
  if (!known) {
    const hint = spec.hints?.[scheme];
    return `${scheme}:// is not ${article(spec.protocol)} ${spec.protocol} URL${hint ? ` (${hint})` : ''}. ${use}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?=[:/?#]|$)/i.test(text)) return `Add the server's host name. ${use}`;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `Not a valid URL. ${use}`;
  }
  if (/\s/.test(text)) return `URLs cannot contain spaces. ${use}`;
  const bracketed = /^\[(.*)\]$/.exec(u.hostname);
  const host = (bracketed ? bracketed[1]! : u.hostname).toLowerCase();
  if (host === '') return `Add the server's host name. ${use}`;
  if (host.includes('%')) return 'Zone indexes like %eth0 are not supported; enter the address without it';
  if (bracketed ? isIP(host) !== 6 : isIP(host) === 0 && (!HOST_NAME.test(host) || /^\d+$/.test(host.replace(/\.$/, '').split('.').pop()!))) {
    return `${host} is not a host name or IP address. ${use}`;
  }
  if (u.port === '' && known.port === undefined) return `Add the port, like ${spec.example}`;
  const port = u.port === '' ? known.port! : Number(u.port);
  if (port < 1 || port > 65535) return 'Ports are 1–65535';
  if (!spec.credentials && (u.username || u.password)) {
    return `${spec.protocol} checks do not log in: remove the user name and password from the URL`;
  }
  if (u.hash) return `Remove the #fragment from the URL`;
  return {
    scheme,
    tls: known.tls,
    host,
    port,
    username: decode(u.username),
    password: decode(u.password),
    path: decode(u.pathname.replace(/^\//, '')),
    pathAndQuery: `${u.pathname || '/'}${u.search}`,
    query: u.searchParams,
  };
}

/** host:port with IPv6 addresses in brackets. */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
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

/* ---------- settings helpers: form strings and API JSON alike ---------- */

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** The connection URL setting: required, trimmed, checked against the spec. */
export function urlSetting(spec: UrlSpec) {
  return z
    .string({ message: `Enter the ${spec.protocol} URL, like ${spec.example}` })
    .trim()
    .min(1, `Enter the ${spec.protocol} URL, like ${spec.example}`)
    .max(2000, 'Keep the URL under 2000 characters')
    .superRefine((v, ctx) => {
      if (v === '') return; // said by min(1)
      const u = parseConnectionUrl(v, spec);
      if (typeof u === 'string') ctx.addIssue({ code: 'custom', message: u });
    });
}

/** Optional free text ('' when absent). */
export function textSetting(max: number, what: string) {
  return z.preprocess(
    blankToUndefined,
    z
      .string({ message: `${what} must be text` })
      .max(max, `Keep ${what.toLowerCase()} under ${max} characters`)
      .optional()
      .transform((v) => v ?? ''),
  );
}

/** Optional trimmed text ('' when absent). */
export function trimmedSetting(max: number, what: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)),
    z
      .string({ message: `${what} must be text` })
      .max(max, `Keep ${what.toLowerCase()} under ${max} characters`)
      .optional()
      .transform((v) => v ?? ''),
  );
}

/** An optional whole number ≥ min: null when left empty (an empty form field is not 0). */
export function countSetting(what: string, min = 0, max = 1_000_000_000) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v === undefined ? null : typeof v === 'string' ? v.trim() : v),
    z.coerce
      .number({ message: `${what} must be a number` })
      .int(`${what} must be a whole number`)
      .min(min, `${what} must be at least ${min}`)
      .max(max, `${what} must be at most ${max}`)
      .nullable(),
  );
}

/** One of a fixed list; empty picks the default. */
export function choiceSetting<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], what: string) {
  return z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? fallback : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(values, { message: `${what}: choose ${values.slice(0, -1).join(', ')} or ${values.at(-1)}` }),
  );
}

/* ---------- the deadline over the whole check ---------- */

export class CheckTimeout extends Error {
  readonly code = 'ETIMEOUT';
}

/**
 * Runs a check's work under one deadline (ctx.timeoutMs) and the abort signal. `what`
 * is asked at the moment the time is up, so the message names the step that was waiting
 * ("Timeout: no reply on health.ping within 5 s"); `cleanup` closes the client.
 */
export async function underDeadline<T>(ctx: ProbeContext, work: Promise<T>, what: () => string, cleanup: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup();
      reject(new CheckTimeout(`Timeout: ${what()} within ${ctx.timeoutMs / 1000} s`));
    }, ctx.timeoutMs);
    onAbort = () => {
      cleanup();
      reject(Object.assign(new Error('aborted'), { code: 'EABORTED' }));
    };
    if (ctx.signal?.aborted) onAbort();
    else ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined); // settled after the deadline: nobody is listening any more
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** Milliseconds since `started`, rounded, for responseMs. */
export function since(started: number): number {
  return Math.round(performance.now() - started);
}

/* ---------- plain sentences for failures ---------- */

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to verify the certificate chain',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_SSL_WRONG_VERSION_NUMBER: 'server did not answer with TLS',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'server did not answer with TLS',
};

/** A TLS failure as "certificate does not match host", "self-signed certificate", …, or null. */
export function tlsProblem(code: string | undefined, message: string | undefined, host: string): string | null {
  const c = code ?? '';
  if (c === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altnames|does not match certificate/i.test(message ?? '')) return `certificate does not match ${host}`;
  if (TLS_CODES[c]) return TLS_CODES[c]!;
  for (const [k, v] of Object.entries(TLS_CODES)) if (message?.includes(k)) return v;
  if (/self[- ]signed certificate/i.test(message ?? '')) return 'self-signed certificate';
  if (/unable to verify|unable to get (local )?issuer/i.test(message ?? '')) return 'unable to verify the certificate chain';
  if (/certificate has expired/i.test(message ?? '')) return 'certificate has expired';
  if (/wrong version number|packet length too long|unknown protocol/i.test(message ?? '')) return 'server did not answer with TLS';
  if (c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL') || c.includes('CERT')) return message ?? c;
  return null;
}

/**
 * Judges a TLS socket's certificate the way the TLS check does (chain, host name, expiry) for
 * sockets opened with rejectUnauthorized false, so the answer says exactly what is wrong.
 */
export function certificateProblem(socket: TLSSocket, host: string): string | null {
  const cert = socket.getPeerCertificate() as PeerCertificate;
  if (!cert || !cert.valid_to) return 'the server sent no certificate';
  if (Date.parse(cert.valid_to) <= Date.now()) return `certificate has expired (${cert.valid_to})`;
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'untrusted');
    return tlsProblem(reason, reason, host) ?? reason;
  }
  if (checkServerIdentity(host, cert)) return `certificate does not match ${host}`;
  return null;
}

interface ErrLike {
  code?: string | number;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
}

function chain(err: unknown): ErrLike[] {
  const out: ErrLike[] = [];
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 5) return;
    const x = e as ErrLike;
    out.push(x);
    if (Array.isArray(x.errors)) for (const inner of x.errors) walk(inner, depth + 1);
    walk(x.cause, depth + 1);
  };
  walk(err, 0);
  return out;
}

/**
 * A network failure in the words every check uses: "Connection refused by host:port",
 * "Timeout: …", "Blocked: …", "DNS failure: …", "TLS error: …"; null when the error is not a
 * network failure (the caller words protocol errors itself).
 */
export function networkProblem(err: unknown, host: string, port: number): string | null {
  const where = hostPort(host, port);
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const msg = e.message ?? '';
    if (code === 'ETIMEOUT' || msg.startsWith('Timeout: ')) return msg;
    if (code === 'EABORTED') return 'aborted';
    if (code === 'EBLOCKED') return msg.startsWith('Blocked: ') ? msg : `Blocked: ${msg}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_NODATA') return `DNS failure: could not resolve ${host}`;
    if (code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(msg)) return `Connection refused by ${where}`;
    if (code === 'ECONNRESET' || code === 'EPIPE' || /\bECONNRESET\b/.test(msg)) return `Connection reset by ${where}`;
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `Host unreachable: ${host}`;
    if (code === 'ETIMEDOUT' || /\bETIMEDOUT\b/.test(msg)) return `Timeout: could not connect to ${where}`;
    const tls = tlsProblem(code, msg, host);
    if (tls) return `TLS error: ${tls}`;
  }
  return null;
}

/** The deepest message of an error, for the "…: message" tail of protocol errors. */
export function messageOf(err: unknown): string {
  const c = chain(err);
  return (c.find((e) => e.message)?.message ?? String(err)).trim();
}

/** TLS options for a client handed the guard-checked address: SNI and the name check use the original name. */
export function tlsNames(host: string): { servername?: string; checkServerIdentity: (name: string, cert: PeerCertificate) => Error | undefined } {
  return {
    servername: isIP(host) ? undefined : host,
    checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert),
  };
}

/**
 * Waits for a polite close (QUIT, DISCONNECT, connection.close) at most `ms`; true when it
 * finished. Callers destroy the socket when it did not, so a stuck server holds nothing.
 */
export async function closeWithin(closing: Promise<unknown> | undefined, ms = 1000): Promise<boolean> {
  if (!closing) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([closing.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a client after the result is known, without making the check wait for it: the
 * result stays within the timeout, and the polite close is bounded (closeWithin) with a
 * forced one after it, so nothing is left open.
 */
export function closeLater(close: () => Promise<unknown>): void {
  void close().catch(() => undefined);
}

/** The host a stored URL names, for the guard's save-time check; none when it does not parse. */
export function urlHosts(raw: string, spec: UrlSpec): string[] {
  const u = parseConnectionUrl(raw, spec);
  return typeof u === 'string' ? [] : [u.host];
}

/**
 * A result with every secret taken out of its error: user:password@ in any URL, and each
 * secret value itself (a library may quote what it was given). Every connection type's run
 * passes through this, so no surface that shows the error can show a credential.
 */
export function withoutSecrets(result: ProbeResult, secrets: readonly string[]): ProbeResult {
  if (!result.error) return result;
  let error = result.error.replace(/(\/\/)[^\s/@]*:[^\s/@]*@/g, '$1');
  for (const secret of secrets) {
    if (secret.length >= 3) error = error.split(secret).join('•••');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && encoded.length >= 3) error = error.split(encoded).join('•••');
  }
  return { ...result, error };
}
