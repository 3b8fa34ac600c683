import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, withDeadline } from './contract.ts';
import { closeBudget, closeSocket, decode, emptyToUndefined, expectationProblem, firstLine, hostPort, hostProblem, networkError, scrub, serverLimit, settleWithin } from './postgres.ts';

/*
 * MySQL and MariaDB: connect (TLS optional), run one query in a read-only session, compare
 * the first column of the first row with the expected value. Configured by a mysql:// URL
 * (mariadb:// too); the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 3306;
const URL_HELP = 'Enter a mysql:// URL like mysql://user@db.example.com:3306/dbname';
export const MYSQL_TLS_MODES = ['auto', 'off', 'require', 'verify'] as const;

type TlsMode = 'off' | 'require' | 'verify-ca' | 'verify';

export interface MysqlUrl {
  scheme: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty: no default database (the query names its tables in full). */
  database: string;
  /** What the URL asks for (ssl-mode=, ssl=, tls=), used when the TLS setting is "auto". */
  tls: TlsMode;
}

/** The TLS a URL parameter asks for, in the spellings the MySQL client, Connector/J, Go and mysql2 use; a sentence when unknown. */
function urlTls(params: URLSearchParams): TlsMode | string {
  let mode: string | null = null;
  for (const [k, v] of params) if (/^ssl[-_]?mode$/i.test(k)) mode = v.toUpperCase().replace(/-/g, '_');
  if (mode !== null) {
    const m = { DISABLED: 'off', PREFERRED: 'off', REQUIRED: 'require', REQUIRE: 'require', VERIFY_CA: 'verify-ca', VERIFY_IDENTITY: 'verify', VERIFY_FULL: 'verify' }[mode];
    return (m as TlsMode | undefined) ?? 'ssl-mode= is one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY';
  }
  const ssl = (params.get('ssl') ?? params.get('tls') ?? params.get('useSSL') ?? '').trim();
  if (ssl.startsWith('{')) {
    try {
      return (JSON.parse(ssl) as { rejectUnauthorized?: boolean }).rejectUnauthorized === false ? 'require' : 'verify-ca';
    } catch {
      return 'ssl= holds true, false or JSON like {"rejectUnauthorized":true}';
    }
  }
  const v = ssl.toLowerCase();
  if (v === 'true' || v === '1') return 'verify';
  if (v === 'skip-verify' || v === 'required') return 'require';
  const accept = (params.get('sslaccept') ?? '').toLowerCase();
  if (accept === 'strict') return 'verify';
  if (accept === 'accept_invalid_certs') return 'require';
  return 'off';
}

/** Reads a mysql:// URL; a sentence saying what is wrong when it is not one we can use. */
export function parseMysqlUrl(raw: string): MysqlUrl | string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return URL_HELP;
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') return URL_HELP;
  if (u.searchParams.has('socketPath') || u.searchParams.has('socket')) return 'Unix sockets are not supported; put the host name in the URL';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) return 'The URL needs a host: mysql://user@db.example.com:3306/dbname';
  if (host.includes(',')) return 'Give one host in the URL; several hosts are not supported';
  const hp = hostProblem(host);
  if (hp) return hp;
  const user = decode(u.username);
  const password = decode(u.password);
  const database = decode(u.pathname.replace(/^\//, ''));
  if (user === null || password === null || database === null) return 'The URL has a broken %-escape; check the user name, password and database';
  const theUser = user || u.searchParams.get('user') || '';
  if (!theUser) return 'Put the user name in the URL: mysql://user@db.example.com/dbname';
  if (database.includes('/')) return 'The database is the part after the host: mysql://user@db.example.com/dbname';
  const tls = urlTls(u.searchParams);
  if (!['off', 'require', 'verify-ca', 'verify'].includes(tls)) return tls;
  return {
    scheme: u.protocol.slice(0, -1),
    host,
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    user: theUser,
    password: password || u.searchParams.get('password') || '',
    database,
    tls: tls as TlsMode,
  };
}

/** The URL as lists, alerts and status pages show it: no password, no parameters. */
export function mysqlTarget(raw: string): string {
  const u = parseMysqlUrl(raw);
  if (typeof u === 'string') return 'mysql://';
  return `${u.scheme}://${encodeURIComponent(u.user)}@${hostPort(u.host, u.port)}/${encodeURIComponent(u.database)}`;
}

const WRITES = /^\s*(insert|update|delete|replace|drop|create|alter|truncate|rename|grant|revoke|load)\b/i;
const optText = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v ?? '');

const settings = z.object({
  url: z
    .string({ error: 'Enter a mysql:// URL' })
    .trim()
    .min(1, 'Enter a mysql:// URL')
    .max(2000, 'Keep the URL under 2000 characters')
    .superRefine((v, ctx) => {
      if (!v) return;
      const r = parseMysqlUrl(v);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
    }),
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
    z.enum(MYSQL_TLS_MODES, { error: 'Choose auto, off, require or verify' }).default('auto'),
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

export type MysqlSettings = z.infer<typeof settings>;

function sslOptions(mode: TlsMode, ca: string | undefined): mysql.SslOptions | undefined {
  if (mode === 'off') return undefined;
  if (mode === 'require') return { rejectUnauthorized: false };
  // mysql2 judges the certificate against `host`, which stays the name in the URL (the socket goes to the checked address).
  return { rejectUnauthorized: true, verifyIdentity: mode === 'verify', ca: ca || undefined };
}

type Phase = 'connect' | 'query';
type MysqlError = NodeJS.ErrnoException & { errno?: number; sqlMessage?: string; fatal?: boolean };

const TIMEOUT_ERRNOS = new Set([1969, 3024, 1317]); // MariaDB max_statement_time, MySQL max_execution_time, interrupted

function describe(err: unknown, u: MysqlUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as MysqlError;
  const where = hostPort(u.host, u.port);
  const msg = firstLine(e.sqlMessage ?? e.message);
  const code = e.code ?? '';
  const server = Boolean(e.sqlMessage || (e as { sqlState?: string }).sqlState);
  if (server && (e.errno === 1045 || e.errno === 1698)) return `Authentication failed for user ${u.user}`;
  if (server && e.errno === 1044) return `Access denied for user ${u.user} to database ${u.database}`;
  if (server && e.errno === 1049) return `Unknown database ${u.database}`;
  if (server && e.errno === 1792) return `Query refused: the check runs read-only (${msg})`;
  if (server && e.errno && TIMEOUT_ERRNOS.has(e.errno)) return `Timeout: the query did not finish within ${timeoutMs / 1000} s (cancelled by the server)`;
  if (code === 'HANDSHAKE_SSL_ERROR') return /altnames/i.test(msg) ? `TLS error: certificate does not match ${u.host}` : `TLS error: ${msg}`;
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return `TLS error: ${where} does not accept TLS connections (set TLS to off, or enable TLS on the server)`;
  if (code === 'ETIMEDOUT') return `Timeout: could not connect to ${where} within ${timeoutMs / 1000} s`;
  if (code === 'PROTOCOL_CONNECTION_LOST') return phase === 'connect' ? `Connection closed by ${where} before the session started` : `Connection closed by ${where} during the query`;
  if (server) return phase === 'connect' ? `Connection failed: ${msg}` : `Query error: ${msg}`;
  const net = networkError(e, u.host, u.port);
  if (net) return net;
  return phase === 'connect' ? `Connection failed: ${msg || String(err)}` : `Query error: ${msg || String(err)}`;
}

/** Every value as the server sends it in text (as the mysql client prints it). */
const asText = (field: { string(): string | null }) => field.string();

export const mysqlCheck = defineCheckType<MysqlSettings>({
  type: 'mysql',
  label: 'MySQL / MariaDB',
  description: 'Connects to a MySQL or MariaDB server, runs a read-only query and checks its answer.',
  settings,
  fields: {
    url: {
      label: 'Connection URL',
      input: 'secret',
      required: true,
      placeholder: 'mysql://monitor@db.example.com:3306/app?ssl-mode=REQUIRED',
      help: 'A password in the URL is kept secret; or leave it out and use the Password field.',
    },
    password: { label: 'Password', input: 'secret', help: 'Used instead of a password in the URL. Leave blank to keep the stored one.' },
    query: { label: 'Query', input: 'textarea', placeholder: 'SELECT 1', help: 'One statement, run in a read-only session.' },
    expected: { label: 'Expected value', input: 'text', help: 'The first column of the first row must equal this, as the mysql client prints it. Blank: any answer passes.' },
    tls: { label: 'TLS', input: 'select', options: MYSQL_TLS_MODES, help: 'auto follows ssl-mode= in the URL (off without it); require encrypts without checking the certificate; verify checks it and the host name.' },
    ca: { label: 'CA certificates', input: 'textarea', help: 'PEM, for verify against a private CA. Blank: the system roots.' },
    query_timeout: { label: 'Query timeout (seconds)', input: 'number', min: 0, max: 300, help: 'The server stops the query after this long. 0: the monitor’s timeout.' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => mysqlTarget(s.url),
  hosts: (s) => {
    const u = parseMysqlUrl(s.url);
    return typeof u === 'string' ? [] : [u.host];
  },
  async run(s, ctx) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const remaining = () => Math.max(1, ctx.timeoutMs - (performance.now() - started));
    const u = parseMysqlUrl(s.url);
    if (typeof u === 'string') return failed(u);
    if (ctx.signal?.aborted) return failed('aborted');
    const password = s.password || u.password;
    const secrets = [password, s.url];
    const mode: TlsMode = s.tls === 'auto' ? u.tls : s.tls;
    let phase: Phase = 'connect';
    let conn: mysql.Connection | undefined;
    let socket: Socket | undefined;
    let over = false;
    const kill = () => {
      over = true;
      // mysql2's destroy() only ends the stream; the sockets (TLS and TCP) are destroyed here.
      (conn as unknown as { stream?: Socket } | undefined)?.stream?.destroy();
      socket?.destroy();
    };
    ctx.signal?.addEventListener('abort', kill, { once: true });

    const call = <T>(fn: (cb: (err: Error | null, res?: T) => void) => void) => new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

    const work = async () => {
      const address = await connectAddress(ctx, u.host);
      if (over) throw new Error('cancelled');
      conn = mysql.createConnection({
        // The name stays the host (for TLS servername and certificate checks); the socket goes to the checked address.
        host: u.host,
        port: u.port,
        stream: () => {
          socket = netConnect(u.port, address);
          socket.setNoDelay(true);
          return socket;
        },
        user: u.user,
        password,
        database: u.database || undefined,
        ssl: sslOptions(mode, s.ca || ctx.ca),
        connectTimeout: Math.ceil(remaining()),
        multipleStatements: false,
        rowsAsArray: true,
        typeCast: asText as never,
      });
      const c = conn;
      c.on('error', () => undefined); // late errors: the pending call rejects with them
      await call((cb) => c.connect((err) => cb(err)));
      phase = 'query';
      // Every statement of this session is read-only, and the server stops the query at the deadline.
      await call((cb) => c.query('SET SESSION TRANSACTION READ ONLY', (err) => cb(err)));
      const limitMs = serverLimit(remaining(), s.query_timeout);
      const mariadb = /mariadb/i.test((c as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket?.serverVersion ?? '');
      await call((cb) =>
        c.query(mariadb ? `SET SESSION max_statement_time = ${(limitMs / 1000).toFixed(3)}` : `SET SESSION max_execution_time = ${limitMs}`, () => cb(null)), // older servers lack it: the client deadline still holds
      );
      // Rows are streamed and only the first is kept, so a query over a big table does not fill this process.
      const rows = await new Promise<unknown[][]>((resolve, reject) => {
        const first: unknown[][] = [];
        c.query({ sql: s.query, rowsAsArray: true })
          .on('result', (row: unknown) => {
            if (first.length === 0 && Array.isArray(row)) first.push(row);
          })
          .on('error', reject)
          .on('end', () => resolve(first));
      });
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
      const c = conn as mysql.Connection | undefined;
      if (c) {
        // COM_QUIT politely (no "aborted connection" in the server's log) when the session is
        // usable, within what is left of the timeout; then nothing stays open.
        if ((phase as Phase) === 'query' && !timedOut && !ctx.signal?.aborted) await settleWithin(new Promise<void>((resolve) => c.end(() => resolve())), closeBudget(ctx.timeoutMs, elapsed()));
        c.destroy();
        await closeSocket((c as unknown as { stream?: Socket }).stream);
        await closeSocket(socket);
      }
    }
  },
});

