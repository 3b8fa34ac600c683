import { isIP } from 'node:net';
import { z } from 'zod';
import { timeoutMessage } from './connection-errors.ts';
import { blankToUndefined } from './connection-settings.ts';
import { hostPort, isHostName } from './connection-url.ts';

/*
 * What the database check types (PostgreSQL, MySQL, Redis) share: their URL and settings
 * (as users paste and type them), the server-side time limit, the expected-value comparison,
 * and the words for their failures, so the three read alike.
 */

export const DB_TLS_MODES = ['auto', 'off', 'require', 'verify'] as const;

/** Where a database check was when it failed: the words differ ("Connection failed" / "Query error"). */
export type Phase = 'connect' | 'query';

/* ---------- the URL ---------- */

/** The URL when it parses and its protocol is one of `protocols` ("postgres:"); otherwise `help`. */
export function readUrl(raw: string, protocols: readonly string[], help: string): URL | string {
  try {
    const u = new URL(raw.trim());
    return protocols.includes(u.protocol) ? u : help;
  } catch {
    return help;
  }
}

/** A host name or an IP address (IPv6 without brackets); a problem sentence or null. */
export function hostProblem(host: string): string | null {
  return isIP(host) !== 0 || isHostName(host) ? null : 'The URL needs a host name like db.example.com or an IP address';
}

/** The URL as lists, alerts and status pages show it: no password, no parameters. */
export function databaseTarget(u: { scheme: string; user: string; host: string; port: number; database: string }): string {
  return `${u.scheme}://${encodeURIComponent(u.user)}@${hostPort(u.host, u.port)}/${encodeURIComponent(u.database)}`;
}

/* ---------- settings ---------- */

const optText = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v ?? '');

/** The connection URL: required, and one `parse` accepts (its sentence is the field error). */
export function databaseUrlSetting(enter: string, parse: (raw: string) => object | string) {
  return z
    .string({ error: enter })
    .trim()
    .min(1, enter)
    .max(2000, 'Keep the URL under 2000 characters')
    .superRefine((v, ctx) => {
      if (!v) return;
      const r = parse(v);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
    });
}

/** Not trimmed: a password may begin or end with a space. */
export const passwordSetting = () => z.string().max(1000, 'Password too long').optional().transform((v) => v ?? '');

/** One query, SELECT 1 when empty; statements that write are refused at save time (the server refuses them anyway: the check runs read-only). */
export function readOnlyQuerySetting(writes: RegExp) {
  return z
    .string()
    .trim()
    .max(5000, 'Keep the query under 5000 characters')
    .optional()
    .transform((v) => v || 'SELECT 1')
    .refine((v) => !writes.test(v), 'The check runs read-only; use a query that reads, like SELECT 1');
}

export const expectedSetting = () => optText(1000, 'Keep the expected value under 1000 characters');

/** auto (follow the URL), off, require or verify, case and blanks forgiven. */
export const tlsSetting = () =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : blankToUndefined(v)),
    z.enum(DB_TLS_MODES, { error: 'Choose auto, off, require or verify' }).default('auto'),
  );

export const caSetting = () =>
  optText(20_000, 'Keep the CA certificates under 20000 characters').refine(
    (v) => v === '' || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v),
    'Paste PEM certificates (-----BEGIN CERTIFICATE----- …)',
  );

export const queryTimeoutSetting = () =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'The query timeout is a number of seconds' }).int('Whole seconds').min(0, 'At least 0 seconds').max(300, 'At most 300 seconds').default(0),
  );

/** The settings of the SQL checks (PostgreSQL, MySQL): the same fields, their own URL and list of writing statements. */
export function sqlSettings(enter: string, parse: (raw: string) => object | string, writes: RegExp) {
  return z.object({
    url: databaseUrlSetting(enter, parse),
    password: passwordSetting(),
    query: readOnlyQuerySetting(writes),
    expected: expectedSetting(),
    tls: tlsSetting(),
    ca: caSetting(),
    query_timeout: queryTimeoutSetting(),
  });
}

/* ---------- the query ---------- */

/**
 * The server-side statement time limit (ms): the query timeout when set, else what is left of
 * the monitor's timeout, less a little so the server's own "cancelled" answer arrives in time.
 */
export function serverLimit(remainingMs: number, queryTimeoutSeconds: number): number {
  const left = remainingMs - Math.min(200, remainingMs * 0.1);
  return Math.max(1, Math.floor(queryTimeoutSeconds ? Math.min(left, queryTimeoutSeconds * 1000) : left));
}

/** The limit a server-cancelled query was under, for its message: the query timeout when it is the shorter. */
export function queryLimitMs(queryTimeoutSeconds: number, timeoutMs: number): number {
  return queryTimeoutSeconds && queryTimeoutSeconds * 1000 < timeoutMs ? queryTimeoutSeconds * 1000 : timeoutMs;
}

/** How the result compares with the expected value; null when it passes. */
export function expectationProblem(expected: string, rows: unknown[][]): string | null {
  if (!expected) return null;
  if (rows.length === 0) return `Expected ${expected}, got no rows`;
  const got = rows[0]![0];
  const text = got === null || got === undefined ? 'NULL' : Buffer.isBuffer(got) ? got.toString('utf8') : String(got);
  return text.trim() === expected ? null : `Expected ${expected}, got ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/* ---------- words for failures ---------- */

export const failedIn = (phase: Phase, msg: string): string => (phase === 'connect' ? `Connection failed: ${msg}` : `Query error: ${msg}`);

export const closedBy = (where: string, phase: Phase): string =>
  phase === 'connect' ? `Connection closed by ${where} before the session started` : `Connection closed by ${where} during the query`;

export const serverWithoutTls = (where: string): string => `TLS error: ${where} does not accept TLS connections (set TLS to off, or enable TLS on the server)`;

export const cancelledByServer = (ms: number): string => `${timeoutMessage('the query did not finish', ms)} (cancelled by the server)`;

export const connectTimeout = (where: string, ms: number): string => timeoutMessage(`could not connect to ${where}`, ms);

/** The answer when the check's own deadline passed: while connecting, or waiting for the query. */
export const deadlineMessage = (where: string, phase: Phase, ms: number): string =>
  phase === 'connect' ? connectTimeout(where, ms) : timeoutMessage('no answer to the query', ms);
