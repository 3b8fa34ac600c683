import { type Client, credentials, loadPackageDefinition, Metadata, type ServiceError, status as Status } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { networkProblem, withoutSecrets } from './connection-errors.ts';
import { since, underDeadline } from './connection-io.ts';
import { textSetting, trimmedSetting, urlSetting } from './connection-settings.ts';
import { tlsNames } from './connection-tls.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const GRPC_URL: UrlSpec = {
  protocol: 'gRPC',
  schemes: { grpc: { tls: false }, grpcs: { port: 443, tls: true } },
  example: 'grpc://api.example.com:50051',
  credentials: false,
  hints: { http: 'write grpc://host:port', https: 'write grpcs://host:port', dns: 'write grpc://host:port' },
};

/**
 * grpc/health/v1/health.proto (the standard health service), as protobuf.js JSON so no
 * .proto file has to be found at run time.
 */
export const HEALTH_PROTO: Parameters<typeof fromJSON>[0] = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: {
                  methods: {
                    Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', comment: '' },
                    Watch: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', responseStream: true, comment: '' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
interface HealthClient extends Client {
  Check(req: { service: string }, md: Metadata, opts: { deadline: Date }, cb: (err: ServiceError | null, res?: { status: HealthStatus }) => void): void;
}
type HealthCtor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options: object) => HealthClient;

let healthCtor: HealthCtor | undefined;
function Health(): HealthCtor {
  if (!healthCtor) {
    const pkg = loadPackageDefinition(fromJSON(HEALTH_PROTO, { keepCase: true, enums: String, defaults: true })) as unknown as {
      grpc: { health: { v1: { Health: HealthCtor } } };
    };
    healthCtor = pkg.grpc.health.v1.Health;
  }
  return healthCtor;
}

const settings = z.object({
  url: urlSetting(GRPC_URL),
  /** The service to ask about; empty = the server's overall health. */
  service: trimmedSetting(255, 'The service name').refine((v) => /^[A-Za-z0-9_.\/-]*$/.test(v), 'Service names look like my.package.MyService'),
  /** Sent as `authorization: Bearer …` metadata. */
  token: textSetting(4000, 'The token').refine((t) => !/[\r\n]/.test(t), 'The token must be on one line'),
});

export type GrpcSettings = z.output<typeof settings>;

function what(service: string): string {
  return service ? `service ${service}` : 'the server';
}

function describe(err: ServiceError, host: string, port: number, service: string, timeoutMs: number): string {
  const where = hostPort(host, port);
  const details = err.details || err.message;
  switch (err.code) {
    case Status.NOT_FOUND:
      return `SERVICE_UNKNOWN: the health service of ${where} does not know ${what(service)}`;
    case Status.UNIMPLEMENTED:
      return `${where} does not implement the gRPC health service (grpc.health.v1.Health/Check)`;
    case Status.UNAUTHENTICATED:
      return `Authentication failed: ${details}`;
    case Status.PERMISSION_DENIED:
      return `Not authorized: ${details}`;
    case Status.DEADLINE_EXCEEDED:
      return `Timeout: no health answer from ${where} within ${timeoutMs / 1000} s`;
    case Status.UNAVAILABLE:
      return networkProblem(err, host, port) ?? `${where} is unavailable: ${details}`;
    default:
      return networkProblem(err, host, port) ?? `gRPC error ${Status[err.code] ?? err.code}: ${details}`;
  }
}

/** One check; `u` is the parsed URL. */
async function probeGrpc(s: GrpcSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  const where = hostPort(u.host, u.port);
  let address: string;
  try {
    address = await connectAddress(ctx, u.host);
  } catch (err) {
    return blockedOrFailed(err, (e) => networkProblem(e, u.host, u.port) ?? `gRPC error: ${e.message}`, since(started));
  }
  const isName = !/^[\d.]+$|:/.test(u.host);
  const creds = u.tls
    ? credentials.createSsl(ctx.ca ? Buffer.from(ctx.ca) : null, null, null, {
        // The channel dials the checked address; the certificate must match the name in the URL.
        checkServerIdentity: tlsNames(u.host).checkServerIdentity,
      })
    : credentials.createInsecure();
  const client = new (Health())(hostPort(address, u.port), creds, {
    'grpc.default_authority': where,
    ...(u.tls && isName ? { 'grpc.ssl_target_name_override': u.host } : {}),
    'grpc.enable_http_proxy': 0, // never through a proxy from the environment
    'grpc.service_config_disable_resolution': 1,
    'grpc.enable_retries': 0,
    'grpc.use_local_subchannel_pool': 1, // the connection is this check's own and goes with client.close()
    'grpc.primary_user_agent': 'StatusPing/0.1',
  });
  const md = new Metadata();
  if (s.token) md.set('authorization', `Bearer ${s.token}`);
  const work = new Promise<HealthStatus>((resolve, reject) => {
    client.Check({ service: s.service }, md, { deadline: new Date(Date.now() + ctx.timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res?.status ?? 'UNKNOWN')));
  });
  try {
    const st = await underDeadline(ctx, work, () => `no health answer from ${where}`, () => client.close());
    const responseMs = since(started);
    if (st === 'SERVING') return { ok: true, statusCode: null, responseMs, error: null };
    if (st === 'SERVICE_UNKNOWN') return failed(`SERVICE_UNKNOWN: the health service of ${where} does not know ${what(s.service)}`, responseMs);
    return failed(st === 'NOT_SERVING' ? `NOT_SERVING: ${what(s.service)} reports it is not serving` : `Health status ${st} for ${what(s.service)}`, responseMs);
  } catch (err) {
    const e = err as ServiceError;
    return failed(typeof e.code === 'number' ? describe(e, u.host, u.port, s.service, ctx.timeoutMs) : (networkProblem(e, u.host, u.port) ?? `gRPC error: ${e.message}`), since(started));
  } finally {
    client.close();
  }
}

export const grpcCheck = defineCheckType({
  type: 'grpc',
  label: 'gRPC health',
  description: 'Asks a gRPC server’s standard health service (grpc.health.v1.Health/Check) whether it, or one of its services, is SERVING.',
  settings,
  fields: {
    url: { label: 'Server URL', input: 'url', required: true, placeholder: GRPC_URL.example, help: 'grpc://host:port in plain text, grpcs://host[:port] over TLS (port 443 by default).' },
    service: { label: 'Service', input: 'text', placeholder: 'my.package.MyService', help: 'Optional: the service to ask about; empty asks about the server as a whole.' },
    token: { label: 'Bearer token', input: 'secret', help: 'Optional: sent as authorization: Bearer … metadata.' },
  },
  secrets: ['token'],
  probed: true,
  target: (s) => displayUrl(s.url, GRPC_URL, { path: false }) + (s.service ? ` ${s.service}` : ''),
  hosts: (s) => urlHosts(s.url, GRPC_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, GRPC_URL);
    if (typeof u === 'string') return failed(u);
    return withoutSecrets(await probeGrpc(s, u, ctx), [s.token]);
  },
});
