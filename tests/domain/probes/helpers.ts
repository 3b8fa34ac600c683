import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import type { ProbeContext } from '../../../src/domain/checks/probes/contract.ts';
import { type LookupFn, NetGuard } from '../../../src/lib/net-guard.ts';
import { OPEN_GUARD } from '../../helpers/fixtures.ts';

/** The guard of a SaaS instance: 127.0.0.1 is refused. */
export const SAAS_GUARD = new NetGuard({ block: true });
/** A SaaS guard whose operator allows the loopback range, so local servers are reachable through it. */
export const SAAS_LOOPBACK = new NetGuard({ block: true, allow: ['127.0.0.1/32'] });

/** The name test certificates are made for; only `namedGuard` resolves it (to 127.0.0.1). */
export const TEST_HOST = 'broker.statusping.test';

/**
 * A SaaS guard (loopback allowed) whose resolver maps TEST_HOST to 127.0.0.1: a probe must
 * dial the checked address yet verify the certificate against the name in the URL.
 */
export function namedGuard(lookups: string[] = []): NetGuard {
  const lookup: LookupFn = (hostname, options, cb) => {
    lookups.push(hostname);
    if (hostname !== TEST_HOST) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    if ((options as { all?: boolean }).all) return cb(null, [{ address: '127.0.0.1', family: 4 }]);
    cb(null, '127.0.0.1', 4);
  };
  return new NetGuard({ block: true, allow: ['127.0.0.1/32'], lookup });
}

export function ctx(extra: Partial<ProbeContext> = {}): ProbeContext {
  return { guard: OPEN_GUARD, timeoutMs: 3000, ...extra };
}

/** A name unique to this run and test, so parallel runs never share a queue, topic or subject. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Open TCP sockets of this process (client and server side): a probe must leave none behind. */
export function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length;
}

/** Waits until no more sockets are open than `before` (closing is asynchronous), up to `ms`; the count. */
export async function socketsBackTo(before: number, ms = 2000): Promise<number> {
  const end = Date.now() + ms;
  while (openSockets() > before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return openSockets();
}

export interface TestCert {
  dir: string;
  keyFile: string;
  certFile: string;
  key: string;
  cert: string;
}

/** A self-signed certificate (its own CA) for TEST_HOST and localhost, made with openssl. */
export function selfSignedCert(days = 10): TestCert {
  const dir = mkdtempSync(path.join(tmpdir(), 'statusping-probe-cert-'));
  chmodSync(dir, 0o755); // brokers started by the tests may drop privileges
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', `/CN=${TEST_HOST}`, '-addext', `subjectAltName=DNS:${TEST_HOST},DNS:localhost`],
    { stdio: 'ignore' },
  );
  chmodSync(keyFile, 0o644);
  return { dir, keyFile, certFile, key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

export interface Listening {
  port: number;
  /** Sockets accepted so far (still open or not). */
  accepted: Socket[];
  close(): Promise<void>;
}

async function listen(server: NetServer, accepted: Socket[]): Promise<Listening> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of accepted) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP server that accepts and never says a word: probes must time out, and close their socket. */
export function silentServer(): Promise<Listening> {
  const accepted: Socket[] = [];
  return listen(createNetServer((s) => accepted.push(s.on('error', () => undefined).resume())), accepted);
}

/** A TLS front for a real plain-text server (TLS termination, as a load balancer does it). */
export function tlsProxy(cert: TestCert, upstreamPort: number): Promise<Listening> {
  const accepted: Socket[] = [];
  const server = createTlsServer({ key: cert.key, cert: cert.cert }, (s) => {
    accepted.push(s);
    const up = connect(upstreamPort, '127.0.0.1');
    s.pipe(up).pipe(s);
    const end = () => {
      s.destroy();
      up.destroy();
    };
    s.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  return listen(server, accepted);
}

/** Waits until something accepts connections on the port (a spawned broker is up). */
export async function portOpen(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A free port on 127.0.0.1 (closed again at once). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Whether a program is on the PATH (brokers the tests start themselves with other settings). */
export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Spawned {
  port: number;
  stop(): Promise<void>;
}

/** Starts a program that listens on `port` and waits for it; stop() ends it (by its own pid). */
export async function spawnServer(cmd: string, args: string[], port: number, cleanup?: string): Promise<Spawned> {
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await Promise.race([portOpen(port), exited.then(() => Promise.reject(new Error(`${cmd} exited: ${stderr}`)))]);
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (cleanup) rmSync(cleanup, { recursive: true, force: true });
    },
  };
}

/** A temporary directory others can read (a broker dropping root privileges reads its config there). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export function writeReadable(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o644);
}

/** Resolves true once the server side of a connection sees it closed, false after `ms`. */
export function seesClose(socket: Socket | undefined, ms = 2000): Promise<boolean> {
  if (!socket) return Promise.resolve(false);
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((r) => {
    const t = setTimeout(() => r(false), ms);
    socket.once('close', () => {
      clearTimeout(t);
      r(true);
    });
  });
}
