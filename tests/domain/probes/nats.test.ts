import { connect, type NatsConnection, StringCodec } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsCheck } from '../../../src/domain/checks/probes/nats.ts';
import { serviceUrl } from '../../helpers/env.ts';
import { closedPort } from '../../helpers/target.ts';
import {
  ctx,
  freePort,
  hasProgram,
  namedGuard,
  openSockets,
  SAAS_GUARD,
  SAAS_LOOPBACK,
  seesClose,
  selfSignedCert,
  silentServer,
  socketsBackTo,
  type Spawned,
  spawnServer,
  TEST_HOST,
  type TestCert,
  uniqueName,
} from './helpers.ts';

const parse = (input: Record<string, unknown>) => natsCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = natsCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};
const sc = StringCodec();

describe('NATS settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: 'nats://nats.example.com' })).toEqual({ url: 'nats://nats.example.com', password: '', subject: '', payload: '', expect: '' });
    expect(parse({ url: 'tls://nats.example.com:4443', subject: ' health.ping ', payload: 'ping', expect: 'pong' })).toMatchObject({ subject: 'health.ping', payload: 'ping', expect: 'pong' });
  });

  it('says what is wrong with a URL, a subject or the options', () => {
    expect(problems({ url: 'natss://nats.example.com' }).url).toBe('natss:// is not a NATS URL (write tls:// for NATS over TLS). Use a nats:// or tls:// URL, like nats://user:password@nats.example.com:4222');
    expect(problems({ url: 'http://nats.example.com:8222' }).url).toMatch(/^http:\/\/ is not a NATS URL\. Use a nats:\/\//);
    expect(problems({ url: 'nats://n.example.com', subject: 'health.*' }).subject).toBe('A request goes to one subject: no * or > wildcards');
    expect(problems({ url: 'nats://n.example.com', subject: 'health..ping' }).subject).toMatch(/single dots/);
    expect(problems({ url: 'nats://n.example.com', subject: 'a b' }).subject).toBe('Subjects cannot contain spaces');
    expect(problems({ url: 'nats://n.example.com', expect: 'pong' }).expect).toMatch(/^Set a subject/);
    expect(problems({ url: 'nats://n.example.com', payload: 'ping' }).payload).toMatch(/^Set a subject/);
  });

  it('keeps the URL and the password or token secret: the target shows neither', () => {
    expect(natsCheck.secrets).toEqual(['url', 'password']);
    expect(natsCheck.target(parse({ url: 'nats://app:pw@nats.example.com', subject: 'health.ping' }))).toBe('nats://app@nats.example.com:4222 request health.ping');
    expect(natsCheck.target(parse({ url: 'nats://s3cr3t-token@nats.example.com' }))).toBe('nats://nats.example.com:4222');
    expect(natsCheck.hosts(parse({ url: 'tls://nats.example.com' }))).toEqual(['nats.example.com']);
  });
});

describe('NATS check without a server', () => {
  it('is blocked by the SaaS guard; a refused port and a silent server are named, the socket closed', async () => {
    expect((await natsCheck.run(parse({ url: 'nats://127.0.0.1:4222' }), ctx({ guard: SAAS_GUARD }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    const port = await closedPort();
    expect((await natsCheck.run(parse({ url: `nats://127.0.0.1:${port}` }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);
    const silent = await silentServer();
    try {
      const r = await natsCheck.run(parse({ url: `nats://127.0.0.1:${silent.port}` }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no NATS handshake with 127.0.0.1:${silent.port} within 0.5 s`);
      expect(await seesClose(silent.accepted[0])).toBe(true);
    } finally {
      await silent.close();
    }
  });
});

const url = serviceUrl('nats');

describe.skipIf(!url)('NATS check against nats-server', () => {
  let nc: NatsConnection;
  const subject = `statusping.${uniqueName('probe').replace(/-/g, '_')}`;
  const base = new URL(url ?? 'nats://x');
  beforeAll(async () => {
    nc = await connect({ servers: `${base.hostname}:${base.port || 4222}` });
    const echo = nc.subscribe(`${subject}.echo`);
    void (async () => {
      for await (const m of echo) m.respond(sc.encode(`pong ${sc.decode(m.data)}`));
    })();
    const slow = nc.subscribe(`${subject}.slow`);
    void (async () => {
      for await (const m of slow) setTimeout(() => m.respond(sc.encode('late')), 2000);
    })();
    await nc.flush();
  });
  afterAll(() => nc?.close());

  it('up: connects and answers PING, through the SaaS guard when loopback is allowed, and closes', async () => {
    const before = openSockets();
    expect(await natsCheck.run(parse({ url: url! }), ctx())).toMatchObject({ ok: true, error: null });
    expect(await natsCheck.run(parse({ url: url! }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('request/reply: a reply, one with the expected text, one without, no responders, a slow responder', async () => {
    const before = openSockets();
    expect(await natsCheck.run(parse({ url: url!, subject: `${subject}.echo` }), ctx())).toMatchObject({ ok: true });
    expect(await natsCheck.run(parse({ url: url!, subject: `${subject}.echo`, payload: 'hi', expect: 'pong hi' }), ctx())).toMatchObject({ ok: true });
    expect((await natsCheck.run(parse({ url: url!, subject: `${subject}.echo`, payload: 'hi', expect: 'healthy' }), ctx())).error).toBe(`The reply on ${subject}.echo does not contain "healthy": pong hi`);
    expect((await natsCheck.run(parse({ url: url!, subject: `${subject}.nobody` }), ctx())).error).toBe(`No responders for subject ${subject}.nobody: nothing is subscribed to answer the request`);
    const slow = await natsCheck.run(parse({ url: url!, subject: `${subject}.slow` }), ctx({ timeoutMs: 600 }));
    expect(slow).toMatchObject({ ok: false, error: `Timeout: no reply on ${subject}.slow within 0.6 s` });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('down: a wrong port; tls:// to a server without TLS', async () => {
    const port = await closedPort();
    expect((await natsCheck.run(parse({ url: `nats://${base.hostname}:${port}` }), ctx())).error).toBe(`Connection refused by ${base.hostname}:${port}`);
    expect((await natsCheck.run(parse({ url: `tls://${base.hostname}:${base.port || 4222}` }), ctx())).error).toBe(
      `TLS error: ${base.hostname}:${base.port || 4222} does not offer TLS (use a nats:// URL)`,
    );
  });
});

// Credentials and TLS need servers configured for them: nats-server started here.
describe.skipIf(!url || !hasProgram('nats-server'))('NATS check against nats-servers with credentials and TLS', () => {
  const servers: Spawned[] = [];
  let userPass: Spawned;
  let token: Spawned;
  let tls: Spawned;
  let cert: TestCert;
  const start = async (...args: string[]) => {
    const port = await freePort();
    const s = await spawnServer('nats-server', ['-a', '127.0.0.1', '-p', String(port), ...args], port);
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    cert = selfSignedCert();
    [userPass, token, tls] = await Promise.all([start('--user', 'alice', '--pass', 'wonder'), start('--auth', 's3cr3t'), start('--tls', '--tlscert', cert.certFile, '--tlskey', cert.keyFile)]);
  });
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  it('user and password: right ones pass (in the URL or the separate field), a wrong one is refused', async () => {
    const at = `127.0.0.1:${userPass.port}`;
    expect(await natsCheck.run(parse({ url: `nats://alice:wonder@${at}` }), ctx())).toMatchObject({ ok: true });
    expect(await natsCheck.run(parse({ url: `nats://alice@${at}`, password: 'wonder' }), ctx())).toMatchObject({ ok: true });
    const wrong = `Authentication failed: ${at} refused the credentials (Authorization Violation)`;
    expect((await natsCheck.run(parse({ url: `nats://alice:nope@${at}` }), ctx())).error).toBe(wrong);
    expect((await natsCheck.run(parse({ url: `nats://${at}` }), ctx())).error).toBe(wrong);
  });

  it('token: in the URL as a lone user name, or in the password field', async () => {
    const at = `127.0.0.1:${token.port}`;
    expect(await natsCheck.run(parse({ url: `nats://s3cr3t@${at}` }), ctx())).toMatchObject({ ok: true });
    expect(await natsCheck.run(parse({ url: `nats://${at}`, password: 's3cr3t' }), ctx())).toMatchObject({ ok: true });
    expect((await natsCheck.run(parse({ url: `nats://wrong@${at}` }), ctx())).error).toMatch(/^Authentication failed/);
  });

  it('tls://: the certificate is checked against the URL name while the checked address is dialled', async () => {
    const lookups: string[] = [];
    expect(await natsCheck.run(parse({ url: `tls://${TEST_HOST}:${tls.port}` }), ctx({ guard: namedGuard(lookups), ca: cert.cert }))).toMatchObject({ ok: true, error: null });
    expect(lookups).toEqual([TEST_HOST]);
    expect((await natsCheck.run(parse({ url: `tls://${TEST_HOST}:${tls.port}` }), ctx({ guard: namedGuard() }))).error).toBe('TLS error: self-signed certificate');
    expect((await natsCheck.run(parse({ url: `tls://127.0.0.1:${tls.port}` }), ctx({ ca: cert.cert }))).error).toBe('TLS error: certificate does not match 127.0.0.1');
    expect((await natsCheck.run(parse({ url: `nats://127.0.0.1:${tls.port}` }), ctx())).error).toBe(`127.0.0.1:${tls.port} requires TLS: use a tls:// URL`);
  });
});
