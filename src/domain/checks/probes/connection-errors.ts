import type { ProbeResult } from './probe.ts';
import { hostPort } from './connection-url.ts';
import { driverTlsProblem, isTlsCode, tlsProblem } from './connection-tls.ts';

/*
 * The words every network check uses for a failure ("Connection refused by host:port",
 * "DNS failure: …", "Timeout: …", "TLS error: …"), and the scrubbing that keeps credentials
 * out of every error a check returns.
 */

/** The first line of a message, trimmed: drivers append stacks and server detail below it. */
export function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.trim();
}

/** "Timeout: <what> within N s", the one wording of a missed deadline. */
export function timeoutMessage(what: string, ms: number): string {
  return `Timeout: ${what} within ${ms / 1000} s`;
}

interface ErrLike {
  code?: string | number;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
}

/** An error with its causes and aggregated errors (client libraries wrap the socket's). */
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

/** The deepest message of an error, for the "…: message" tail of protocol errors. */
export function messageOf(err: unknown): string {
  const c = chain(err);
  return (c.find((e) => e.message)?.message ?? String(err)).trim();
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * A socket that could not reach the server: DNS, refused, reset, unreachable; null otherwise.
 * `message` is searched too, for libraries that keep the socket's code only in their text.
 */
export function socketProblem(code: string, host: string, port: number, message = ''): string | null {
  const where = hostPort(host, port);
  if (DNS_CODES.has(code)) return `DNS failure: could not resolve ${host}`;
  if (code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(message)) return `Connection refused by ${where}`;
  if (code === 'ECONNRESET' || code === 'EPIPE' || /\bECONNRESET\b/.test(message)) return `Connection reset by ${where}`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `Host unreachable: ${host}`;
  return null;
}

/** One link of an error chain as a network failure, or null. */
function linkProblem(e: ErrLike, host: string, port: number): string | null {
  const code = typeof e.code === 'string' ? e.code : '';
  const msg = e.message ?? '';
  if (code === 'ETIMEOUT' || msg.startsWith('Timeout: ')) return msg;
  if (code === 'EABORTED') return 'aborted';
  if (code === 'EBLOCKED') return msg.startsWith('Blocked: ') ? msg : `Blocked: ${msg}`;
  const socket = socketProblem(code, host, port, msg);
  if (socket) return socket;
  if (code === 'ETIMEDOUT' || /\bETIMEDOUT\b/.test(msg)) return `Timeout: could not connect to ${hostPort(host, port)}`;
  const tls = tlsProblem(code, msg, host);
  return tls ? `TLS error: ${tls}` : null;
}

/**
 * A network failure of the connection check types (AMQP, MQTT, NATS, SMTP, WebSocket, gRPC),
 * including the deadline, an abort and the guard; null when the error is not a network
 * failure (the caller words protocol errors itself).
 */
export function networkProblem(err: unknown, host: string, port: number): string | null {
  for (const e of chain(err)) {
    const problem = linkProblem(e, host, port);
    if (problem) return problem;
  }
  return null;
}

/**
 * A database driver's socket or TLS failure (PostgreSQL, MySQL, Redis), by its code: the
 * drivers reject with the socket's own error, and the deadline, aborts and the guard are
 * worded by the checks before they ask; null when it is not one.
 */
export function driverNetworkProblem(err: NodeJS.ErrnoException, host: string, port: number): string | null {
  const code = err.code ?? '';
  const socket = socketProblem(code, host, port);
  if (socket) return socket;
  const tls = driverTlsProblem(code, host) ?? (isTlsCode(code) ? firstLine(err.message) : null);
  return tls === null ? null : `TLS error: ${tls}`;
}

/** Each secret (3 characters or more: shorter ones would mask ordinary words) replaced by `mask`. */
export function scrub(message: string, secrets: readonly string[], mask = '***'): string {
  let out = message;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join(mask);
  return out;
}

/**
 * A result with every secret taken out of its error: user:password@ in any URL, and each
 * secret value itself, as given and %-encoded (a library may quote either). Every connection
 * type's run passes through this, so no surface that shows the error can show a credential.
 */
export function withoutSecrets(result: ProbeResult, secrets: readonly string[]): ProbeResult {
  if (!result.error) return result;
  const forms = secrets.flatMap((s) => (encodeURIComponent(s) === s ? [s] : [s, encodeURIComponent(s)]));
  return { ...result, error: scrub(result.error.replace(/(\/\/)[^\s/@]*:[^\s/@]*@/g, '$1'), forms, '•••') };
}
