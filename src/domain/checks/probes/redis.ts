import { Redis } from 'ioredis';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed } from './contract.ts';
import { driverNetworkProblem, firstLine, scrub, timeoutMessage } from './connection-errors.ts';
import { closeBudget, closeSocket, closeWithin, underDeadline } from './connection-io.ts';
import { blankToUndefined } from './connection-settings.ts';
import { type TlsMode as AnyTlsMode, tlsOptions } from './connection-tls.ts';
import { bareHost, decode, hostPort, hostsOf } from './connection-url.ts';
import { caSetting, connectTimeout, databaseUrlSetting, DB_TLS_MODES, expectedSetting, hostProblem, passwordSetting, readUrl, tlsSetting } from './database.ts';

/*
 * Redis (and compatible servers: Valkey, KeyDB, Dragonfly): connect (TLS optional), log in
 * (password, or ACL user and password), then PING, or GET a key and compare its value.
 * Configured by a redis:// or rediss:// URL; the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 6379;
const URL_HELP = 'Enter a redis:// or rediss:// URL like redis://db.example.com:6379/0';
export const REDIS_TLS_MODES = DB_TLS_MODES;
export const REDIS_COMMANDS = ['PING', 'GET'] as const;

/** Redis has no "verify-ca" spelling in its URLs. */
type TlsMode = Exclude<AnyTlsMode, 'verify-ca'>;

export interface RedisUrl {
  scheme: string;
  host: string;
  port: number;
  /** ACL user; empty = the default user. */
  user: string;
  password: string;
  db: number;
  /** rediss:// asks for verified TLS, used when the TLS setting is "auto". */
  tls: TlsMode;
}

/** Reads a redis:// URL; a sentence saying what is wrong when it is not one we can use. */
export function parseRedisUrl(raw: string): RedisUrl | string {
  const u = readUrl(raw, ['redis:', 'rediss:'], URL_HELP);
  if (typeof u === 'string') return u;
  const host = bareHost(u.hostname);
  if (!host) return 'The URL needs a host: redis://db.example.com:6379';
  const hp = hostProblem(host);
  if (hp) return hp;
  const user = decode(u.username);
  const password = decode(u.password);
  if (user === null || password === null) return 'The URL has a broken %-escape; check the user name and password';
  const path = u.pathname.replace(/^\//, '');
  const dbText = path || u.searchParams.get('db') || '0';
  if (!/^\d{1,4}$/.test(dbText)) return 'The database is a number after the host: redis://db.example.com:6379/0';
  return {
    scheme: u.protocol.slice(0, -1),
    host,
    port: u.port ? Number(u.port) : DEFAULT_PORT,
    user,
    password: password || u.searchParams.get('password') || '',
    db: Number(dbText),
    tls: u.protocol === 'rediss:' ? 'verify' : 'off',
  };
}

/** The URL as lists, alerts and status pages show it: no password, no parameters. */
export function redisTarget(raw: string): string {
  const u = parseRedisUrl(raw);
  if (typeof u === 'string') return 'redis://';
  return `${u.scheme}://${u.user ? `${encodeURIComponent(u.user)}@` : ''}${hostPort(u.host, u.port)}/${u.db}`;
}

const settings = z
  .object({
    url: databaseUrlSetting('Enter a redis:// URL', parseRedisUrl),
    password: passwordSetting(),
    command: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toUpperCase() || undefined : blankToUndefined(v)),
      z.enum(REDIS_COMMANDS, { error: 'Choose PING or GET' }).default('PING'),
    ),
    // Not trimmed: keys may hold spaces.
    key: z.string().max(1024, 'Keep the key under 1024 characters').optional().transform((v) => v ?? ''),
    expected: expectedSetting(),
    tls: tlsSetting(),
    ca: caSetting(),
  })
  .superRefine((v, ctx) => {
    if (v.command === 'GET' && !v.key) ctx.addIssue({ code: 'custom', path: ['key'], message: 'Enter the key to read' });
  });

export type RedisSettings = z.infer<typeof settings>;

type Phase = 'connect' | 'login' | 'query';

const failedIn = (phase: Phase, msg: string) => `${phase === 'query' ? 'Query error' : 'Connection failed'}: ${msg}`;

/** An error reply from the server (WRONGPASS, NOAUTH, ERR …), in words; null for other errors. */
function replyProblem(msg: string, u: RedisUrl, phase: Phase): string | null {
  const where = hostPort(u.host, u.port);
  const word = /^[A-Z]+/.exec(msg)?.[0] ?? '';
  if (word === 'WRONGPASS' || (phase === 'login' && /invalid (username-)?password|invalid password/i.test(msg))) return `Authentication failed for user ${u.user || 'default'}`;
  if (/without any password configured|no password is set/i.test(msg)) return `Authentication failed: ${where} has no password set, but the check gives one`;
  if (phase === 'login' && /wrong number of arguments for 'auth'/i.test(msg)) return `Authentication failed: ${where} has no ACL users (Redis before 6); leave the user out of the URL`;
  if (word === 'NOAUTH') return `Authentication failed: ${where} requires a password`;
  if (word === 'NOPERM') return `Permission denied: ${msg.replace(/^NOPERM\s*/, '')}`;
  if (word === 'LOADING' || word === 'MASTERDOWN' || word === 'BUSY') return `Server not ready: ${msg}`;
  if (phase === 'login' && /DB index/i.test(msg)) return `Unknown database ${u.db}: ${msg.replace(/^ERR\s*/, '')}`;
  if (/^(ERR|WRONGTYPE|MOVED|ASK|CROSSSLOT|READONLY|CLUSTERDOWN|EXECABORT)\b/.test(msg)) return failedIn(phase, msg);
  return null;
}

function describe(err: unknown, u: RedisUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as NodeJS.ErrnoException;
  const where = hostPort(u.host, u.port);
  const msg = firstLine(e.message);
  const reply = replyProblem(msg, u, phase);
  if (reply) return reply;
  if (e.code === 'ETIMEDOUT' || /timed out/i.test(msg)) return phase === 'connect' ? connectTimeout(where, timeoutMs) : timeoutMessage('no answer', timeoutMs);
  const net = driverNetworkProblem(e, u.host, u.port);
  if (net) return net;
  if (/Connection is closed|ended|socket closed/i.test(msg)) return phase === 'connect' ? `Connection closed by ${where} before the session started` : `Connection closed by ${where}`;
  return failedIn(phase, msg || String(err));
}

/** The check's own deadline passed: no answer, no TLS handshake on an open socket, or no connection. */
function deadlineMessage(redis: Redis | undefined, u: RedisUrl, phase: Phase, mode: TlsMode, ms: number): string {
  const where = hostPort(u.host, u.port);
  if (phase !== 'connect') return timeoutMessage('no answer', ms);
  const tcpUp = redis?.stream && !redis.stream.connecting;
  return tcpUp && mode !== 'off' ? `${timeoutMessage(`no TLS handshake with ${where}`, ms)} (does the server speak TLS on this port?)` : connectTimeout(where, ms);
}

export const redisCheck = defineCheckType<RedisSettings>({
  type: 'redis',
  label: 'Redis',
  description: 'Connects to a Redis server and checks that it answers PING, or that a key holds the expected value.',
  settings,
  fields: {
    url: {
      label: 'Connection URL',
      input: 'secret',
      required: true,
      placeholder: 'rediss://monitor@cache.example.com:6380/0',
      help: 'redis:// or rediss:// (TLS), with the ACL user and the database number. A password in the URL is kept secret; or leave it out and use the Password field.',
    },
    password: { label: 'Password', input: 'secret', help: 'Used instead of a password in the URL. Leave blank to keep the stored one.' },
    command: { label: 'Check', input: 'select', options: REDIS_COMMANDS, help: 'PING: the server answers. GET: a key’s value.' },
    key: { label: 'Key', input: 'text', help: 'For GET: the key to read (it must exist).' },
    expected: { label: 'Expected value', input: 'text', help: 'The reply must equal this (PONG for PING). Blank: any reply passes.' },
    tls: { label: 'TLS', input: 'select', options: REDIS_TLS_MODES, help: 'auto: verified TLS for rediss://, none for redis://; require encrypts without checking the certificate; verify checks it and the host name.' },
    ca: { label: 'CA certificates', input: 'textarea', help: 'PEM, for verify against a private CA. Blank: the system roots.' },
  },
  secrets: ['url', 'password'],
  probed: true,
  target: (s) => redisTarget(s.url),
  hosts: (s) => hostsOf(parseRedisUrl(s.url)),
  async run(s, ctx) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const remaining = () => Math.max(1, Math.ceil(ctx.timeoutMs - (performance.now() - started)));
    const u = parseRedisUrl(s.url);
    if (typeof u === 'string') return failed(u);
    if (ctx.signal?.aborted) return failed('aborted');
    const password = s.password || u.password;
    const secrets = [password, s.url];
    const mode: TlsMode = s.tls === 'auto' ? u.tls : s.tls;
    let phase: Phase = 'connect';
    let redis: Redis | undefined;
    let lastError: Error | undefined;
    let over = false; // the deadline passed or the check was aborted: a late step must not connect
    let stopped = false;
    const stop = () => {
      over = stopped = true;
      redis?.disconnect();
      redis?.stream?.destroy();
    };

    const work = async () => {
      const address = await connectAddress(ctx, u.host);
      if (over) throw new Error('cancelled');
      redis = new Redis({
        host: address,
        port: u.port,
        tls: tlsOptions(mode, u.host, s.ca || ctx.ca),
        // One connection, one try: no reconnects, retries, offline queue or ready check (INFO may be
        // refused to a monitoring ACL user); login and database are sent here, so their errors are ours.
        lazyConnect: true,
        connectTimeout: remaining(),
        commandTimeout: remaining(),
        retryStrategy: () => null,
        reconnectOnError: () => false,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        enableReadyCheck: false,
        autoResubscribe: false,
        autoResendUnfulfilledCommands: false,
        disableClientInfo: true,
        protocol: 2,
        keepAlive: 0,
      });
      const r = redis;
      r.on('error', (err: Error) => {
        lastError = err;
      });
      await r.connect().catch((err: Error) => {
        throw lastError ?? err;
      });
      phase = 'login';
      if (password || u.user) await (u.user ? r.auth(u.user, password) : r.auth(password));
      if (u.db) await r.select(u.db);
      phase = 'query';
      const reply = s.command === 'GET' ? await r.get(s.key) : await r.ping();
      return { reply, ms: elapsed() };
    };

    try {
      // The abort signal stops the check too (stop() closes the connection, a late step does not connect).
      const { reply, ms } = await underDeadline(ctx, work(), () => 'connect and answer', stop);
      if (reply === null) return failed(s.expected ? `Expected ${s.expected}, got nothing (key ${s.key} does not exist)` : `Key ${s.key} does not exist`, ms);
      if (s.expected && reply.trim() !== s.expected) return failed(scrub(`Expected ${s.expected}, got ${reply.length > 200 ? `${reply.slice(0, 200)}…` : reply}`, secrets), ms);
      return { ok: true, statusCode: null, responseMs: ms, error: null };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted', elapsed());
      if (stopped) return failed(deadlineMessage(redis, u, phase, mode, ctx.timeoutMs), elapsed());
      return blockedOrFailed(err, (x) => scrub(describe(x, u, phase, ctx.timeoutMs), secrets), elapsed());
    } finally {
      over = true;
      const r = redis as Redis | undefined;
      if (r) {
        // QUIT politely when the session is usable, within what is left of the timeout; then nothing stays open.
        if (r.status === 'ready' && !stopped && !ctx.signal?.aborted) await closeWithin(r.quit(), closeBudget(ctx.timeoutMs, elapsed()));
        const stream = r.stream;
        if (r.status !== 'end') r.disconnect();
        await closeSocket(stream);
      }
    }
  },
});
