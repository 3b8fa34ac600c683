import { connect as netConnect, type Socket } from 'node:net';
import mysql from 'mysql2';
import type { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed } from './contract.ts';
import { driverNetworkProblem, firstLine, scrub } from './connection-errors.ts';
import { closeBudget, closeSocket, closeWithin, underDeadline } from './connection-io.ts';
import type { TlsMode } from './connection-tls.ts';
import { bareHost, decode, hostPort, hostsOf } from './connection-url.ts';
import {
  cancelledByServer, closedBy, connectTimeout, databaseTarget, DB_TLS_MODES, deadlineMessage, expectationProblem, failedIn,
  hostProblem, type Phase, queryLimitMs, readUrl, serverLimit, serverWithoutTls, sqlSettings,
} from './database.ts';

/*
 * MySQL and MariaDB: connect (TLS optional), run one query in a read-only session, compare
 * the first column of the first row with the expected value. Configured by a mysql:// URL
 * (mariadb:// too); the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 3306;
const URL_HELP = 'Enter a mysql:// URL like mysql://user@db.example.com:3306/dbname';
export const MYSQL_TLS_MODES = DB_TLS_MODES;

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
  const u = readUrl(raw, ['mysql:', 'mariadb:'], URL_HELP);
  if (typeof u === 'string') return u;
  if (u.searchParams.has('socketPath') || u.searchParams.has('socket')) return 'Unix sockets are not supported; put the host name in the URL';
  const host = bareHost(u.hostname);
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
  return typeof u === 'string' ? 'mysql://' : databaseTarget(u);
}

const WRITES = /^\s*(insert|update|delete|replace|drop|create|alter|truncate|rename|grant|revoke|load)\b/i;

const settings = sqlSettings('Enter a mysql:// URL', parseMysqlUrl, WRITES);

export type MysqlSettings = z.infer<typeof settings>;

function sslOptions(mode: TlsMode, ca: string | undefined): mysql.SslOptions | undefined {
  if (mode === 'off') return undefined;
  if (mode === 'require') return { rejectUnauthorized: false };
  // mysql2 judges the certificate against `host`, which stays the name in the URL (the socket goes to the checked address).
  return { rejectUnauthorized: true, verifyIdentity: mode === 'verify', ca: ca || undefined };
}

type MysqlError = NodeJS.ErrnoException & { errno?: number; sqlMessage?: string; fatal?: boolean };

const TIMEOUT_ERRNOS = new Set([1969, 3024, 1317]); // MariaDB max_statement_time, MySQL max_execution_time, interrupted

/** A failure the server reported, by its error number; null for the ones worded like any other. */
function serverProblem(e: MysqlError, msg: string, u: MysqlUrl, timeoutMs: number): string | null {
  if (e.errno === 1045 || e.errno === 1698) return `Authentication failed for user ${u.user}`;
  if (e.errno === 1044) return `Access denied for user ${u.user} to database ${u.database}`;
  if (e.errno === 1049) return `Unknown database ${u.database}`;
  if (e.errno === 1792) return `Query refused: the check runs read-only (${msg})`;
  if (e.errno && TIMEOUT_ERRNOS.has(e.errno)) return cancelledByServer(timeoutMs);
  return null;
}

/** A failure mysql2 itself names by its code; null otherwise. */
function driverProblem(code: string, msg: string, u: MysqlUrl, phase: Phase, timeoutMs: number): string | null {
  const where = hostPort(u.host, u.port);
  if (code === 'HANDSHAKE_SSL_ERROR') return /altnames/i.test(msg) ? `TLS error: certificate does not match ${u.host}` : `TLS error: ${msg}`;
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return serverWithoutTls(where);
  if (code === 'ETIMEDOUT') return connectTimeout(where, timeoutMs);
  if (code === 'PROTOCOL_CONNECTION_LOST') return closedBy(where, phase);
  return null;
}

function describe(err: unknown, u: MysqlUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as MysqlError;
  const msg = firstLine(e.sqlMessage ?? e.message);
  const server = Boolean(e.sqlMessage || (e as { sqlState?: string }).sqlState);
  const problem = (server ? serverProblem(e, msg, u, timeoutMs) : null) ?? driverProblem(e.code ?? '', msg, u, phase, timeoutMs);
  if (problem) return problem;
  if (server) return failedIn(phase, msg);
  return driverNetworkProblem(e, u.host, u.port) ?? failedIn(phase, msg || String(err));
}

/** Every value as the server sends it in text (as the mysql client prints it). */
const asText = (field: { string(): string | null }) => field.string();

/** A mysql2 callback call as a promise. */
const call = <T>(fn: (cb: (err: Error | null, res?: T) => void) => void) => new Promise<T>((resolve, reject) => fn((err, res) => (err ? reject(err) : resolve(res as T))));

/** Every statement of this session is read-only, and the server stops the query at `limitMs`. */
async function readOnlySession(c: mysql.Connection, limitMs: number): Promise<void> {
  await call((cb) => c.query('SET SESSION TRANSACTION READ ONLY', (err) => cb(err)));
  const mariadb = /mariadb/i.test((c as unknown as { _handshakePacket?: { serverVersion?: string } })._handshakePacket?.serverVersion ?? '');
  await call((cb) =>
    c.query(mariadb ? `SET SESSION max_statement_time = ${(limitMs / 1000).toFixed(3)}` : `SET SESSION max_execution_time = ${limitMs}`, () => cb(null)), // older servers lack it: the client deadline still holds
  );
}

/** Rows are streamed and only the first is kept, so a query over a big table does not fill this process. */
function firstRow(c: mysql.Connection, sql: string): Promise<unknown[][]> {
  return new Promise<unknown[][]>((resolve, reject) => {
    const first: unknown[][] = [];
    c.query({ sql, rowsAsArray: true })
      .on('result', (row: unknown) => {
        if (first.length === 0 && Array.isArray(row)) first.push(row);
      })
      .on('error', reject)
      .on('end', () => resolve(first));
  });
}

const streamOf = (c: mysql.Connection | undefined) => (c as unknown as { stream?: Socket } | undefined)?.stream;

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
  hosts: (s) => hostsOf(parseMysqlUrl(s.url)),
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
    let over = false; // the deadline passed or the check was aborted: a late step must not connect
    let stopped = false;
    const stop = () => {
      over = stopped = true;
      // mysql2's destroy() only ends the stream; the sockets (TLS and TCP) are destroyed here.
      streamOf(conn)?.destroy();
      socket?.destroy();
    };

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
      await readOnlySession(c, serverLimit(remaining(), s.query_timeout));
      const rows = await firstRow(c, s.query);
      return { rows, ms: elapsed() };
    };

    try {
      // The abort signal stops the check too (stop() destroys the sockets, a late step does not connect).
      const { rows, ms } = await underDeadline(ctx, work(), () => 'connect and answer', stop);
      const problem = expectationProblem(s.expected, rows);
      return problem ? failed(scrub(problem, secrets), ms) : { ok: true, statusCode: null, responseMs: ms, error: null };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted', elapsed());
      if (stopped) return failed(deadlineMessage(hostPort(u.host, u.port), phase, ctx.timeoutMs), elapsed());
      return blockedOrFailed(err, (x) => scrub(describe(x, u, phase, queryLimitMs(s.query_timeout, ctx.timeoutMs)), secrets), elapsed());
    } finally {
      over = true;
      const c = conn as mysql.Connection | undefined;
      if (c) {
        // COM_QUIT politely (no "aborted connection" in the server's log) when the session is
        // usable, within what is left of the timeout; then nothing stays open.
        if ((phase as Phase) === 'query' && !stopped && !ctx.signal?.aborted) await closeWithin(new Promise<void>((resolve) => c.end(() => resolve())), closeBudget(ctx.timeoutMs, elapsed()));
        c.destroy();
        await closeSocket(streamOf(c));
        await closeSocket(socket);
      }
    }
  },
});
