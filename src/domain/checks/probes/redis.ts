import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, withDeadline } from './contract.ts';
import { closeBudget, closeSocket, decode, emptyToUndefined, firstLine, hostPort, hostProblem, networkError, scrub, settleWithin } from './postgres.ts';

/*
 * Redis (and compatible servers: Valkey, KeyDB, Dragonfly): connect (TLS optional), log in
 * (password, or ACL user and password), then PING, or GET a key and compare its value.
 * Configured by a redis:// or rediss:// URL; the password may be in the URL or in its own field.
 */

const DEFAULT_PORT = 6379;
const URL_HELP = 'Enter a redis:// or rediss:// URL like redis://db.example.com:6379/0';
export const REDIS_TLS_MODES = ['auto', 'off', 'require', 'verify'] as const;
export const REDIS_COMMANDS = ['PING', 'GET'] as const;

type TlsMode = 'off' | 'require' | 'verify';

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
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return URL_HELP;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') return URL_HELP;
  const host = u.hostname.replace(/^\[|\]$/g, '');
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

const optText = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v ?? '');

const settings = z
  .object({
    url: z
      .string({ error: 'Enter a redis:// URL' })
      .trim()
      .min(1, 'Enter a redis:// URL')
      .max(2000, 'Keep the URL under 2000 characters')
      .superRefine((v, ctx) => {
        if (!v) return;
        const r = parseRedisUrl(v);
        if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
      }),
    password: z.string().max(1000, 'Password too long').optional().transform((v) => v ?? ''),
    command: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toUpperCase() || undefined : emptyToUndefined(v)),
      z.enum(REDIS_COMMANDS, { error: 'Choose PING or GET' }).default('PING'),
    ),
    // Not trimmed: keys may hold spaces.
    key: z.string().max(1024, 'Keep the key under 1024 characters').optional().transform((v) => v ?? ''),
    expected: optText(1000, 'Keep the expected value under 1000 characters'),
    tls: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : emptyToUndefined(v)),
      z.enum(REDIS_TLS_MODES, { error: 'Choose auto, off, require or verify' }).default('auto'),
    ),
    ca: optText(20_000, 'Keep the CA certificates under 20000 characters').refine(
      (v) => v === '' || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v),
      'Paste PEM certificates (-----BEGIN CERTIFICATE----- …)',
    ),
  })
  .superRefine((v, ctx) => {
    if (v.command === 'GET' && !v.key) ctx.addIssue({ code: 'custom', path: ['key'], message: 'Enter the key to read' });
  });

export type RedisSettings = z.infer<typeof settings>;

function tlsOptions(mode: TlsMode, host: string, ca: string | undefined): ConnectionOptions | undefined {
  if (mode === 'off') return undefined;
  const servername = isIP(host) ? undefined : host;
  if (mode === 'require') return { servername, rejectUnauthorized: false };
  return { servername, rejectUnauthorized: true, ca: ca || undefined, checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert) };
}

type Phase = 'connect' | 'login' | 'query';

function describe(err: unknown, u: RedisUrl, phase: Phase, timeoutMs: number): string {
  const e = (err ?? {}) as NodeJS.ErrnoException;
  const where = hostPort(u.host, u.port);
  const msg = firstLine(e.message);
  const word = /^[A-Z]+/.exec(msg)?.[0] ?? '';
  if (word === 'WRONGPASS' || (phase === 'login' && /invalid (username-)?password|invalid password/i.test(msg))) return `Authentication failed for user ${u.user || 'default'}`;
  if (/without any password configured|no password is set/i.test(msg)) return `Authentication failed: ${where} has no password set, but the check gives one`;
  if (phase === 'login' && /wrong number of arguments for 'auth'/i.test(msg)) return `Authentication failed: ${where} has no ACL users (Redis before 6); leave the user out of the URL`;
  if (word === 'NOAUTH') return `Authentication failed: ${where} requires a password`;
  if (word === 'NOPERM') return `Permission denied: ${msg.replace(/^NOPERM\s*/, '')}`;
  if (word === 'LOADING' || word === 'MASTERDOWN' || word === 'BUSY') return `Server not ready: ${msg}`;
  if (phase === 'login' && /DB index/i.test(msg)) return `Unknown database ${u.db}: ${msg.replace(/^ERR\s*/, '')}`;
  if (/^(ERR|WRONGTYPE|MOVED|ASK|CROSSSLOT|READONLY|CLUSTERDOWN|EXECABORT)\b/.test(msg)) return `${phase === 'query' ? 'Query error' : 'Connection failed'}: ${msg}`;
  if (e.code === 'ETIMEDOUT' || /timed out/i.test(msg)) return phase === 'connect' ? `Timeout: could not connect to ${where} within ${timeoutMs / 1000} s` : `Timeout: no answer within ${timeoutMs / 1000} s`;
  const net = networkError(e, u.host, u.port);
  if (net) return net;
  if (/Connection is closed|ended|socket closed/i.test(msg)) return phase === 'connect' ? `Connection closed by ${where} before the session started` : `Connection closed by ${where}`;
  return `${phase === 'query' ? 'Query error' : 'Connection failed'}: ${msg || String(err)}`;
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
  hosts: (s) => {
    const u = parseRedisUrl(s.url);
    return typeof u === 'string' ? [] : [u.host];
  },
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
    let over = false;
    const kill = () => {
      over = true;
      redis?.disconnect();
      redis?.stream?.destroy();
    };
    ctx.signal?.addEventListener('abort', kill, { once: true });

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

    let timedOut = false;
    try {
      const { reply, ms } = await withDeadline(ctx.timeoutMs, work(), 'connect and answer', () => {
        timedOut = true;
        kill();
      });
      if (reply === null) return failed(s.expected ? `Expected ${s.expected}, got nothing (key ${s.key} does not exist)` : `Key ${s.key} does not exist`, ms);
      if (s.expected && reply.trim() !== s.expected) return failed(scrub(`Expected ${s.expected}, got ${reply.length > 200 ? `${reply.slice(0, 200)}…` : reply}`, secrets), ms);
      return { ok: true, statusCode: null, responseMs: ms, error: null };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted', elapsed());
      const secs = ctx.timeoutMs / 1000;
      if (timedOut) {
        const where = hostPort(u.host, u.port);
        const tcpUp = redis?.stream && !redis.stream.connecting;
        if (phase !== 'connect') return failed(`Timeout: no answer within ${secs} s`, elapsed());
        return failed(tcpUp && mode !== 'off' ? `Timeout: no TLS handshake with ${where} within ${secs} s (does the server speak TLS on this port?)` : `Timeout: could not connect to ${where} within ${secs} s`, elapsed());
      }
      return blockedOrFailed(err, (x) => scrub(describe(x, u, phase, ctx.timeoutMs), secrets), elapsed());
    } finally {
      ctx.signal?.removeEventListener('abort', kill);
      over = true;
      const r = redis as Redis | undefined;
      if (r) {
        if (r.status === 'ready' && !timedOut && !ctx.signal?.aborted) await settleWithin(r.quit(), closeBudget(ctx.timeoutMs, elapsed()));
        const stream = r.stream;
        if (r.status !== 'end') r.disconnect();
        await closeSocket(stream);
      }
    }
  },
});
