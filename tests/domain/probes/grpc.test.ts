import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GrpcObject, loadPackageDefinition, type sendUnaryData, Server, ServerCredentials, type ServerUnaryCall, type ServiceClientConstructor, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcCheck } from '../../../src/domain/checks/probes/grpc.ts';
import { closedPort } from '../../helpers/target.ts';
import { ctx, namedGuard, openSockets, SAAS_GUARD, SAAS_LOOPBACK, selfSignedCert, silentServer, socketsBackTo, tempDir, TEST_HOST, type TestCert } from './helpers.ts';

const parse = (input: Record<string, unknown>) => grpcCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = grpcCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('gRPC settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: 'grpc://api.example.com:50051' })).toEqual({ url: 'grpc://api.example.com:50051', service: '', token: '' });
    expect(parse({ url: 'grpcs://api.example.com', service: ' my.pkg.Orders ' })).toMatchObject({ service: 'my.pkg.Orders' });
  });

  it('says what is wrong with a URL or the service', () => {
    expect(problems({ url: 'grpc://api.example.com' }).url).toBe('Add the port, like grpc://api.example.com:50051');
    expect(problems({ url: 'https://api.example.com' }).url).toBe('https:// is not a gRPC URL (write grpcs://host:port). Use a grpc:// or grpcs:// URL, like grpc://api.example.com:50051');
    expect(problems({ url: 'api.example.com:50051' }).url).toMatch(/^Enter the whole URL with its scheme/);
    expect(problems({ url: 'grpc://u:p@api.example.com:1' }).url).toBe('gRPC checks do not log in: remove the user name and password from the URL');
    expect(problems({ url: 'grpc://api.example.com:1', service: 'has space' }).service).toBe('Service names look like my.package.MyService');
  });

  it('keeps the token secret; the target is the server and the service', () => {
    expect(grpcCheck.secrets).toEqual(['token']);
    expect(grpcCheck.target(parse({ url: 'grpcs://api.example.com', service: 'my.pkg.Orders', token: 'abc' }))).toBe('grpcs://api.example.com:443 my.pkg.Orders');
    expect(grpcCheck.hosts(parse({ url: 'grpc://10.0.0.5:50051' }))).toEqual(['10.0.0.5']);
  });
});

/** The standard health proto, as a file, loaded the usual way (independent of the check's copy). */
const HEALTH_PROTO = `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
  rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse);
}
`;

interface Started {
  port: number;
  /** Authorization metadata of the Check calls so far. */
  auth: (string | undefined)[];
  stop(): Promise<void>;
}

type Statuses = Record<string, 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'hang'>;

async function startGrpc(opts: { statuses?: Statuses; token?: string; health?: boolean; cert?: TestCert }): Promise<Started> {
  const dir = tempDir('statusping-grpc-');
  const file = path.join(dir, 'health.proto');
  writeFileSync(file, HEALTH_PROTO);
  const pkg = loadPackageDefinition(loadSync(file, { keepCase: true, enums: String })) as unknown as { grpc: { health: { v1: GrpcObject & { Health: ServiceClientConstructor } } } };
  const server = new Server();
  const auth: (string | undefined)[] = [];
  if (opts.health !== false) {
    server.addService(pkg.grpc.health.v1.Health.service, {
      Check(call: ServerUnaryCall<{ service: string }, { status: string }>, cb: sendUnaryData<{ status: string }>) {
        const given = call.metadata.get('authorization')[0] as string | undefined;
        auth.push(given);
        if (opts.token && given !== `Bearer ${opts.token}`) return cb({ code: status.UNAUTHENTICATED, details: 'missing or wrong token' });
        const st = (opts.statuses ?? { '': 'SERVING' })[call.request.service];
        if (st === 'hang') return; // never answers
        if (!st) return cb({ code: status.NOT_FOUND, details: 'unknown service' });
        cb(null, { status: st });
      },
      Watch() {},
    });
  }
  const creds = opts.cert ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(opts.cert.key), cert_chain: Buffer.from(opts.cert.cert) }]) : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  // Forced: the call that never answers would keep a graceful shutdown waiting.
  return { port, auth, stop: async () => server.forceShutdown() };
}

describe('gRPC health check against a grpc-js server', () => {
  let plain: Started;
  let secured: Started;
  let bare: Started;
  let cert: TestCert;
  beforeAll(async () => {
    cert = selfSignedCert();
    [plain, secured, bare] = await Promise.all([
      startGrpc({ statuses: { '': 'SERVING', 'shop.Orders': 'SERVING', 'shop.Payments': 'NOT_SERVING', 'shop.Slow': 'hang' } }),
      startGrpc({ cert, token: 'let-me-in' }),
      startGrpc({ health: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), secured?.stop(), bare?.stop()]);
  });
  const at = (port: number) => `grpc://127.0.0.1:${port}`;

  it('SERVING: the server as a whole and a named service; through the SaaS guard when loopback is allowed; channel closed', async () => {
    const before = openSockets();
    expect(await grpcCheck.run(parse({ url: at(plain.port) }), ctx())).toMatchObject({ ok: true, error: null });
    expect(await grpcCheck.run(parse({ url: at(plain.port), service: 'shop.Orders' }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    // Client and server side of the connection are both gone: the server saw the close.
    expect(await socketsBackTo(before, 3000)).toBeLessThanOrEqual(before);
  });

  it('NOT_SERVING, an unknown service, no health service, a server that does not answer', async () => {
    expect((await grpcCheck.run(parse({ url: at(plain.port), service: 'shop.Payments' }), ctx())).error).toBe('NOT_SERVING: service shop.Payments reports it is not serving');
    expect((await grpcCheck.run(parse({ url: at(plain.port), service: 'shop.Nope' }), ctx())).error).toBe(`SERVICE_UNKNOWN: the health service of 127.0.0.1:${plain.port} does not know service shop.Nope`);
    expect((await grpcCheck.run(parse({ url: at(bare.port) }), ctx())).error).toBe(`127.0.0.1:${bare.port} does not implement the gRPC health service (grpc.health.v1.Health/Check)`);
    const slow = await grpcCheck.run(parse({ url: at(plain.port), service: 'shop.Slow' }), ctx({ timeoutMs: 500 }));
    expect(slow.error).toBe(`Timeout: no health answer from 127.0.0.1:${plain.port} within 0.5 s`);
  });

  it('down: blocked, refused, a silent server', async () => {
    expect((await grpcCheck.run(parse({ url: at(plain.port) }), ctx({ guard: SAAS_GUARD }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    const port = await closedPort();
    expect((await grpcCheck.run(parse({ url: at(port) }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);
    const silent = await silentServer();
    try {
      const r = await grpcCheck.run(parse({ url: at(silent.port) }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no health answer from 127.0.0.1:${silent.port} within 0.5 s`);
    } finally {
      await silent.close();
    }
  });

  it('grpcs: the certificate is checked against the URL name while the checked address is dialled; the token is sent', async () => {
    const url = `grpcs://${TEST_HOST}:${secured.port}`;
    const lookups: string[] = [];
    expect(await grpcCheck.run(parse({ url, token: 'let-me-in' }), ctx({ guard: namedGuard(lookups), ca: cert.cert }))).toMatchObject({ ok: true, error: null });
    expect(lookups).toEqual([TEST_HOST]);
    expect(secured.auth.at(-1)).toBe('Bearer let-me-in');
    expect((await grpcCheck.run(parse({ url, token: 'guess' }), ctx({ guard: namedGuard(), ca: cert.cert }))).error).toBe('Authentication failed: missing or wrong token');
    expect((await grpcCheck.run(parse({ url }), ctx({ guard: namedGuard() }))).error).toMatch(/^TLS error: (self-signed certificate|unable to verify the certificate chain)$/);
    expect(await grpcCheck.run(parse({ url: `grpcs://localhost:${secured.port}`, token: 'let-me-in' }), ctx({ ca: cert.cert }))).toMatchObject({ ok: true });
    expect((await grpcCheck.run(parse({ url: `grpcs://127.0.0.1:${plain.port}` }), ctx())).error).toBe('TLS error: server did not answer with TLS');
  });
});
