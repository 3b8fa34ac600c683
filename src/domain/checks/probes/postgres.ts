import { once } from 'node:events';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import pg from 'pg';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, withDeadline } from './contract.ts';

/*
 * PostgreSQL: connect (TLS optional), run one read-only query, compare the first column of
 * the first row with the expected value. Configured by a postgres:// URL as users paste it
 * (libpq's URI form); the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 5432;
const URL_HELP = 'Enter a postgres:// URL like postgres://user@db.example.com:5432/dbname';
export const PG_TLS_MODES = ['auto', 'off', 'require', 'verify'] as const;
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

type TlsMode = 'off' | 'require' | 'verify-ca' | 'verify';

export interface PostgresUrl {
  scheme: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** What the URL asks for (sslmode=, ssl=true), used when the TLS setting is "auto". */
  tls: TlsMode;
  applicationName: string;
}

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/** A host name or an IP address (IPv6 without brackets); a problem sentence or null. */
export function hostProblem(host: string): string | null {
  if (isIP(host) !== 0) return null;
  if (!HOST_NAME.test(host) || /^\d+$/.test(host.replace(/\.$/, '').split('.').pop()!)) return 'The URL needs a host name like db.example.com or an IP address';
  return null;
}

export function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Reads a postgres:// URL; a sentence saying what is wrong when it is not one we can use. */
export function parsePostgresUrl(raw: string): PostgresUrl | string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return URL_HELP;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return URL_HELP;
  const params = u.searchParams;
  if (params.has('host') || params.has('hostaddr')) return 'Unix sockets and host= parameters are not supported; put one host name in the URL';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) return `The URL needs a host: ${URL_HELP.replace(/^Enter a postgres:\/\/ URL like /, '')}`;
  if (host.includes(',')) return 'Give one host in the URL; several hosts are not supported';
  const hp = hostProblem(host);
  if (hp) return hp;
  const user = decode(u.username) ?? null;
  const password = decode(u.password) ?? null;
  const database = decode(u.pathname.replace(/^\//, '')) ?? null;
  if (user === null || password === null || database === null) return 'The URL has a broken %-escape; check the user name, password and database';
  const theUser = user || params.get('user') || '';
  if (!theUser) return 'Put the user name in the URL: postgres://user@db.example.com/dbname';
  if (database.includes('/')) return 'The database is the part after the host: postgres://user@db.example.com/dbname';
  const sslmode = (params.get('sslmode') ?? '').toLowerCase();
  if (sslmode && !(SSLMODES as readonly string[]).includes(sslmode)) return 'sslmode= is one of disable, allow, prefer, require, verify-ca or verify-full';
  const ssl = (params.get('ssl') ?? '').toLowerCase();
  const tls: TlsMode =
    sslmode === 'verify-full' ? 'verify'
    : sslmode === 'verify-ca' ? 'verify-ca'
    : sslmode === 'require' ? 'require'
    : sslmode === '' && (ssl === 'true' || ssl === '1' || ssl === 'require') ? 'require'
    : 'off';
  return {
    scheme: u.protocol.slice(0, -1),
    host,
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    user: theUser,
    password: password || params.get('password') || '',
    database: database || params.get('dbname') || theUser,
    tls,
    applicationName: (params.get('application_name') ?? '').slice(0, 63) || 'statusping',
  };
}

export const hostPort = (host: string, port: number): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/** The URL as lists, alerts and status pages show it: no password, no parameters. */
export function postgresTarget(raw: string): string {
  const u = parsePostgresUrl(raw);
  if (typeof u === 'string') return 'postgres://';
  return `${u.scheme}://${encodeURIComponent(u.user)}@${hostPort(u.host, u.port)}/${encodeURIComponent(u.database)}`;
}

/** Statements that write, refused at save time (the server refuses them anyway: the check runs read-only). */
const WRITES = /^\s*(insert|update|delete|merge|drop|create|alter|truncate|grant|revoke)\b/i;

export const emptyToUndefined = (v: unknown): unknown => (v === '' || v === null || v === undefined ? undefined : v);
const optText = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v ?? '');

const settings = z.object({
  url: z
    .string({ error: 'Enter a postgres:// URL' })
    .trim()
    .min(1, 'Enter a postgres:// URL')
    .max(2000, 'Keep the URL under 2000 characters')
    .superRefine((v, ctx) => {
      if (!v) return;
      const r = parsePostgresUrl(v);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
    }),
  // Not trimmed: a password may begin or end with a space.
  password: z.string().max(1000, 'Password too long').optional().transform((v) => v ?? ''),
  query: z
    .string()
    .trim()
    .max(5000, 'Keep the query under 5000 characters')
    .optional()
    .transform((v) => v || 'SELECT 1')
    .refine((v) => !WRITES.test(v), 'The check runs read-only; use a query that reads, like SELECT 1'),
  expected: optText(1000, 'Keep the expected value under 1000 characters'),
  tls: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : emptyToUndefined(v)),
    z.enum(PG_TLS_MODES, { error: 'Choose auto, off, require or verify' }).default('auto'),
  ),
  ca: optText(20_000, 'Keep the CA certificates under 20000 characters').refine(
    (v) => v === '' || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v),
    'Paste PEM certificates (-----BEGIN CERTIFICATE----- …)',
  ),
  query_timeout: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: 'The query timeout is a number of seconds' }).int('Whole seconds').min(0, 'At least 0 seconds').max(300, 'At most 300 seconds').default(0),
  ),
});

export type PostgresSettings = z.infer<typeof settings>;

/** The TLS the check uses: the setting, or with "auto" what the URL's sslmode= says. */
function tlsMode(s: PostgresSettings, u: PostgresUrl): TlsMode {
  return s.tls === 'auto' ? u.tls : s.tls;
}

/** tls.connect options: the checked address is dialled, the certificate is judged against the name in the URL. */
export function tlsOptions(mode: TlsMode, host: string, ca: string | undefined): ConnectionOptions | false {
  if (mode === 'off') return false;
  const servername = isIP(host) ? undefined : host;
  if (mode === 'require') return { rejectUnauthorized: false, servername };
  return {
    rejectUnauthorized: true,
    servername,
    ca: ca || undefined,
    checkServerIdentity: mode === 'verify-ca' ? () => undefined : (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
  };
}

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown certificate issuer',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_SSL_WRONG_VERSION_NUMBER: 'server did not answer with TLS',
};

/** Socket-level failures in the wording of the TCP and TLS checks; null when it is not one. */
export function networkError(err: NodeJS.ErrnoException, host: string, port: number): string | null {
  const code = err.code ?? '';
  const where = hostPort(host, port);
  if (code === 'ECONNREFUSED') return `Connection refused by ${where}`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `Connection reset by ${where}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `DNS failure: could not resolve ${host}`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `Host unreachable: ${host}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS error: certificate does not match ${host}`;
  if (TLS_CODES[code]) return `TLS error: ${TLS_CODES[code]}`;
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT')) return `TLS error: ${firstLine(err.message)}`;
  return null;
}

export function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0]!.trim();
}

/** Leaves a password out of a message (a server or driver could echo it). */
export function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** Values exactly as the server prints them (as psql shows them): no parsing into numbers or dates. */
const RAW_TYPES = { getTypeParser: () => (v: string) => v };

/** Runs one statement with the extended protocol and reads at most its first row. */
function firstRow(client: pg.Client, text: string): Promise<unknown[][]> {
  const q = new pg.Query({ text, rowMode: 'array', rows: 1, types: RAW_TYPES } as pg.QueryConfig);
  // pg would fetch the rest page by page; Sync instead ends the statement after the first row.
  (q as unknown as { handlePortalSuspended(c: { sync(): void }): void }).handlePortalSuspended = (c) => c.sync();
  return new Promise((resolve, reject) => {
    q.on('end', (res: pg.QueryArrayResult) => resolve(res.rows));
    q.on('error', reject);
    client.query(q);
  });
}

/** Resolves when the promise settles or after `ms`, whichever is first; never rejects. */
export function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    p.then(
      () => (clearTimeout(t), resolve()),
      () => (clearTimeout(t), resolve()),
    );
  });
}

/** How long a polite goodbye may take: what is left of the timeout, at least a moment, at most a second. */
export function closeBudget(timeoutMs: number, elapsedMs: number): number {
  return Math.min(1000, Math.max(50, timeoutMs - elapsedMs));
}

/** Destroys a socket and waits (briefly) until its handle is gone, so a finished check leaves nothing open. */
export async function closeSocket(socket: Duplex | undefined): Promise<void> {
  if (!socket || socket.closed) return;
  const closed = once(socket, 'close').catch(() => undefined);
  socket.destroy();
  await settleWithin(closed, 500);
}

/**
 * The server-side statement time limit (ms): the query timeout when set, else what is left of
 * the monitor's timeout, less a little so the server's own "cancelled" answer arrives in time.
 */
export function serverLimit(remainingMs: number, queryTimeoutSeconds: number): number {
  const left = remainingMs - Math.min(200, remainingMs * 0.1);
  return Math.max(1, Math.floor(queryTimeoutSeconds ? Math.min(left, queryTimeoutSeconds * 1000) : left));
}

/** How the result compares with the expected value; null when it passes. */
export function expectationProblem(expected: string, rows: unknown[][]): string | null {
  if (!expected) return null;
  if (rows.length === 0) return `Expected ${expected}, got no rows`;
  const got = rows[0]![0];
  const text = got === null || got === undefined ? 'NULL' : Buffer.isBuffer(got) ? got.toString('utf8') : String(got);
  return text.trim() === expected ? null : `Expected ${expected}, got ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

type Phase = 'connect' | 'query';

function describe(err: unknown, u: PostgresUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as NodeJS.ErrnoException & { severity?: string };
  const where = hostPort(u.host, u.port);
  const msg = firstLine(e.message);
  const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity ? e.code : '';
  if (sqlstate === '28P01') return `Authentication failed for user ${u.user}`;
  if (sqlstate === '28000') return `Authentication failed for user ${u.user}: ${msg}`;
  if (sqlstate === '3D000') return `Unknown database ${u.database}`;
  if (sqlstate === '57014') return `Timeout: the query did not finish within ${timeoutMs / 1000} s (cancelled by the server)`;
  if (sqlstate === '25006') return `Query refused: the check runs read-only (${msg})`;
  if (sqlstate === '42601' && /multiple commands/.test(msg)) return 'Query error: run one statement only';
  if (sqlstate) return phase === 'connect' ? `Connection failed: ${msg}` : `Query error: ${msg}`;
  const net = networkError(e, u.host, u.port);
  if (net) return net;
  if (/does not support SSL/i.test(msg)) return `TLS error: ${where} does not accept TLS connections (set TLS to off, or enable TLS on the server)`;
  if (/client password must be|no password/i.test(msg)) return `Authentication failed for user ${u.user}: the server asks for a password and none was given`;
  if (/SASL|SCRAM/i.test(msg)) return `Authentication failed for user ${u.user}: ${msg}`;
  if (/timeout/i.test(msg) && phase === 'connect') return `Timeout: could not connect to ${where} within ${timeoutMs / 1000} s`;
  if (/terminated|closed|ended/i.test(msg)) return phase === 'connect' ? `Connection closed by ${where} before the session started` : `Connection closed by ${where} during the query`;
  return phase === 'connect' ? `Connection failed: ${msg || String(err)}` : `Query error: ${msg || String(err)}`;
}

export const postgresCheck = defineCheckType<PostgresSettings>({
  type: 'postgres',
  label: 'PostgreSQL',
  description: 'Connects to a PostgreSQL server, runs a read-only query and checks its answer.',
  settings,
  fields: {
    url: {
      label: 'Connection URL',
      input: 'secret',
      required: true,
      placeholder: 'postgres://monitor@db.example.com:5432/app?sslmode=require',
      help: 'As libpq takes it. A password in the URL is kept secret; or leave it out and use the Password field.',
    },
    password: { label: 'Password', input: 'secret', help: 'Used instead of a password in the URL. Leave blank to keep the stored one.' },
    query: { label: 'Query', input: 'textarea', placeholder: 'SELECT 1', help: 'One statement, run in a READ ONLY transaction.' },
    expected: { label: 'Expected value', input: 'text', help: 'The first column of the first row must equal this, as psql shows it (t/f for booleans). Blank: any answer passes.' },
    tls: { label: 'TLS', input: 'select', options: PG_TLS_MODES, help: 'auto follows sslmode= in the URL (off without it); require encrypts without checking the certificate; verify checks it and the host name.' },
    ca: { label: 'CA certificates', input: 'textarea', help: 'PEM, for verify against a private CA (e.g. your cloud provider’s). Blank: the system roots.' },
    query_timeout: { label: 'Query timeout (seconds)', input: 'number', min: 0, max: 300, help: 'The server cancels the query after this long. 0: the monitor’s timeout.' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => postgresTarget(s.url),
  hosts: (s) => {
    const u = parsePostgresUrl(s.url);
    return typeof u === 'string' ? [] : [u.host];
  },
  async run(s, ctx) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const remaining = () => Math.max(1, ctx.timeoutMs - (performance.now() - started));
    const u = parsePostgresUrl(s.url);
    if (typeof u === 'string') return failed(u);
    if (ctx.signal?.aborted) return failed('aborted');
    const password = s.password || u.password;
    const secrets = [password, s.url];
    let phase: Phase = 'connect';
    let client: pg.Client | undefined;
    let over = false; // the deadline passed or the check was aborted: a late step must not connect
    const kill = () => {
      over = true;
      (client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection?.stream?.destroy();
    };
    ctx.signal?.addEventListener('abort', kill, { once: true });

    const work = async () => {
      const address = await connectAddress(ctx, u.host);
      if (over) throw new Error('cancelled');
      client = new pg.Client({
        host: address,
        port: u.port,
        user: u.user,
        // A function, so an empty password stays empty: a string '' would make pg fall back to
        // this host's PGPASSWORD or ~/.pgpass and send our credentials to the user's server.
        password: async () => password,
        database: u.database,
        ssl: tlsOptions(tlsMode(s, u), u.host, s.ca || ctx.ca),
        connectionTimeoutMillis: Math.ceil(remaining()),
        application_name: u.applicationName,
        types: RAW_TYPES,
      });
      client.on('error', () => undefined); // a late socket error: the pending call rejects with it
      await client.connect();
      phase = 'query';
      // The server cancels the query itself at the deadline (a client giving up leaves it running there).
      const limit = serverLimit(remaining(), s.query_timeout);
      await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${limit}`);
      // The extended protocol runs exactly one statement, so a query cannot COMMIT its way out of
      // the read-only transaction; and it is asked for one row only, so a query over a big table
      // does not pull the table into this process.
      const rows = await firstRow(client, s.query);
      return { rows, ms: elapsed() };
    };

    let timedOut = false;
    try {
      const { rows, ms } = await withDeadline(ctx.timeoutMs, work(), 'connect and answer', () => {
        timedOut = true;
        kill();
      });
      const problem = expectationProblem(s.expected, rows);
      return problem ? failed(scrub(problem, secrets), ms) : { ok: true, statusCode: null, responseMs: ms, error: null };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted', elapsed());
      const secs = ctx.timeoutMs / 1000;
      if (timedOut) return failed(phase === 'connect' ? `Timeout: could not connect to ${hostPort(u.host, u.port)} within ${secs} s` : `Timeout: no answer to the query within ${secs} s`, elapsed());
      const queryMs = s.query_timeout && s.query_timeout * 1000 < ctx.timeoutMs ? s.query_timeout * 1000 : ctx.timeoutMs;
      return blockedOrFailed(err, (x) => scrub(describe(x, u, phase, queryMs), secrets), elapsed());
    } finally {
      ctx.signal?.removeEventListener('abort', kill);
      over = true;
      if (client) {
        // Terminate politely (no "unexpected EOF" in the server's log) when the session is
        // usable, within what is left of the timeout; then nothing stays open.
        if ((phase as Phase) === 'query' && !timedOut && !ctx.signal?.aborted) await settleWithin(client.end(), closeBudget(ctx.timeoutMs, elapsed()));
        await closeSocket((client as unknown as { connection: { stream: Duplex } }).connection.stream);
      }
    }
  },
});
