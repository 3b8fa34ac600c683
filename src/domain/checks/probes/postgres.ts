import type { Duplex } from 'node:stream';
import pg from 'pg';
import type { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed } from './contract.ts';
import { driverNetworkProblem, firstLine, scrub } from './connection-errors.ts';
import { closeBudget, closeSocket, closeWithin, underDeadline } from './connection-io.ts';
import { type TlsMode, tlsOptions } from './connection-tls.ts';
import { bareHost, decode, hostPort, hostsOf } from './connection-url.ts';
import {
  cancelledByServer, closedBy, connectTimeout, databaseTarget, DB_TLS_MODES, deadlineMessage, expectationProblem, failedIn,
  hostProblem, type Phase, queryLimitMs, readUrl, serverLimit, serverWithoutTls, sqlSettings,
} from './database.ts';

/*
 * PostgreSQL: connect (TLS optional), run one read-only query, compare the first column of
 * the first row with the expected value. Configured by a postgres:// URL as users paste it
 * (libpq's URI form); the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 5432;
const URL_HELP = 'Enter a postgres:// URL like postgres://user@db.example.com:5432/dbname';
export const PG_TLS_MODES = DB_TLS_MODES;
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

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

/** The TLS libpq's sslmode= (or ssl=true) asks for; null when sslmode= is not one of libpq's. */
function urlTls(params: URLSearchParams): TlsMode | null {
  const sslmode = (params.get('sslmode') ?? '').toLowerCase();
  if (sslmode && !(SSLMODES as readonly string[]).includes(sslmode)) return null;
  const ssl = (params.get('ssl') ?? '').toLowerCase();
  return sslmode === 'verify-full' ? 'verify'
    : sslmode === 'verify-ca' ? 'verify-ca'
    : sslmode === 'require' ? 'require'
    : sslmode === '' && (ssl === 'true' || ssl === '1' || ssl === 'require') ? 'require'
    : 'off';
}

/** The one host of the URL, or what is wrong with it. */
function urlHost(u: URL): string | { problem: string } {
  if (u.searchParams.has('host') || u.searchParams.has('hostaddr')) return { problem: 'Unix sockets and host= parameters are not supported; put one host name in the URL' };
  const host = bareHost(u.hostname);
  if (!host) return { problem: `The URL needs a host: ${URL_HELP.replace(/^Enter a postgres:\/\/ URL like /, '')}` };
  if (host.includes(',')) return { problem: 'Give one host in the URL; several hosts are not supported' };
  const hp = hostProblem(host);
  return hp ? { problem: hp } : host;
}

/** Reads a postgres:// URL; a sentence saying what is wrong when it is not one we can use. */
export function parsePostgresUrl(raw: string): PostgresUrl | string {
  const u = readUrl(raw, ['postgres:', 'postgresql:'], URL_HELP);
  if (typeof u === 'string') return u;
  const params = u.searchParams;
  const host = urlHost(u);
  if (typeof host !== 'string') return host.problem;
  const user = decode(u.username);
  const password = decode(u.password);
  const database = decode(u.pathname.replace(/^\//, ''));
  if (user === null || password === null || database === null) return 'The URL has a broken %-escape; check the user name, password and database';
  const theUser = user || params.get('user') || '';
  if (!theUser) return 'Put the user name in the URL: postgres://user@db.example.com/dbname';
  if (database.includes('/')) return 'The database is the part after the host: postgres://user@db.example.com/dbname';
  const tls = urlTls(params);
  if (!tls) return 'sslmode= is one of disable, allow, prefer, require, verify-ca or verify-full';
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

/** The URL as lists, alerts and status pages show it: no password, no parameters. */
export function postgresTarget(raw: string): string {
  const u = parsePostgresUrl(raw);
  return typeof u === 'string' ? 'postgres://' : databaseTarget(u);
}

const WRITES = /^\s*(insert|update|delete|merge|drop|create|alter|truncate|grant|revoke)\b/i;

const settings = sqlSettings('Enter a postgres:// URL', parsePostgresUrl, WRITES);

export type PostgresSettings = z.infer<typeof settings>;

/** The TLS the check uses: the setting, or with "auto" what the URL's sslmode= says. */
function tlsMode(s: PostgresSettings, u: PostgresUrl): TlsMode {
  return s.tls === 'auto' ? u.tls : s.tls;
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

/** The server's SQLSTATE, only on errors the server sent (a driver error's code is a Node one). */
function sqlstateOf(e: NodeJS.ErrnoException & { severity?: string }): string {
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity ? e.code : '';
}

/** A failure the server reported, by its SQLSTATE; null for other errors. */
function serverProblem(sqlstate: string, msg: string, u: PostgresUrl, phase: Phase, timeoutMs: number): string | null {
  if (!sqlstate) return null;
  if (sqlstate === '28P01') return `Authentication failed for user ${u.user}`;
  if (sqlstate === '28000') return `Authentication failed for user ${u.user}: ${msg}`;
  if (sqlstate === '3D000') return `Unknown database ${u.database}`;
  if (sqlstate === '57014') return cancelledByServer(timeoutMs);
  if (sqlstate === '25006') return `Query refused: the check runs read-only (${msg})`;
  if (sqlstate === '42601' && /multiple commands/.test(msg)) return 'Query error: run one statement only';
  return failedIn(phase, msg);
}

function describe(err: unknown, u: PostgresUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as NodeJS.ErrnoException & { severity?: string };
  const where = hostPort(u.host, u.port);
  const msg = firstLine(e.message);
  const problem = serverProblem(sqlstateOf(e), msg, u, phase, timeoutMs) ?? driverNetworkProblem(e, u.host, u.port);
  if (problem) return problem;
  if (/does not support SSL/i.test(msg)) return serverWithoutTls(where);
  if (/client password must be|no password/i.test(msg)) return `Authentication failed for user ${u.user}: the server asks for a password and none was given`;
  if (/SASL|SCRAM/i.test(msg)) return `Authentication failed for user ${u.user}: ${msg}`;
  if (/timeout/i.test(msg) && phase === 'connect') return connectTimeout(where, timeoutMs);
  if (/terminated|closed|ended/i.test(msg)) return closedBy(where, phase);
  return failedIn(phase, msg || String(err));
}

type PgInternals = { connection?: { stream?: Duplex } };
const streamOf = (client: pg.Client | undefined) => (client as unknown as PgInternals | undefined)?.connection?.stream;

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
  hosts: (s) => hostsOf(parsePostgresUrl(s.url)),
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
    let stopped = false;
    const stop = () => {
      over = stopped = true;
      streamOf(client)?.destroy();
    };

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
        // false, not undefined: pg would otherwise read PGSSLMODE from this host's environment.
        ssl: tlsOptions(tlsMode(s, u), u.host, s.ca || ctx.ca) ?? false,
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

    try {
      // The abort signal stops the check too (stop() destroys the socket, a late step does not connect).
      const { rows, ms } = await underDeadline(ctx, work(), () => 'connect and answer', stop);
      const problem = expectationProblem(s.expected, rows);
      return problem ? failed(scrub(problem, secrets), ms) : { ok: true, statusCode: null, responseMs: ms, error: null };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted', elapsed());
      if (stopped) return failed(deadlineMessage(hostPort(u.host, u.port), phase, ctx.timeoutMs), elapsed());
      return blockedOrFailed(err, (x) => scrub(describe(x, u, phase, queryLimitMs(s.query_timeout, ctx.timeoutMs)), secrets), elapsed());
    } finally {
      over = true;
      if (client) {
        // Terminate politely (no "unexpected EOF" in the server's log) when the session is
        // usable, within what is left of the timeout; then nothing stays open.
        if ((phase as Phase) === 'query' && !stopped && !ctx.signal?.aborted) await closeWithin(client.end(), closeBudget(ctx.timeoutMs, elapsed()));
        await closeSocket(streamOf(client));
      }
    }
  },
});
