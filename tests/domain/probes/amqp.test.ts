import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpCheck } from '../../../src/domain/checks/probes/amqp.ts';
import { serviceUrl } from '../../helpers/env.ts';
import { BLOCK_ALL } from '../../helpers/fixtures.ts';
import { closedPort } from '../../helpers/target.ts';
import { ctx, namedGuard, openSockets, SAAS_GUARD, SAAS_LOOPBACK, seesClose, selfSignedCert, silentServer, socketsBackTo, TEST_HOST, tlsProxy, uniqueName } from './helpers.ts';

const parse = (input: Record<string, unknown>) => amqpCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = amqpCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('AMQP settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: ' amqp://guest:guest@rabbit.example.com ' })).toEqual({ url: 'amqp://guest:guest@rabbit.example.com', password: '', queue: '', max_depth: null });
    // An empty form field is no limit, not a limit of 0; numbers come as strings or numbers.
    expect(parse({ url: 'amqps://r.example.com', queue: ' jobs ', max_depth: '' }).max_depth).toBeNull();
    expect(parse({ url: 'amqps://r.example.com', queue: 'jobs', max_depth: '100' })).toMatchObject({ queue: 'jobs', max_depth: 100 });
    expect(parse({ url: 'amqps://r.example.com', queue: 'jobs', max_depth: 0 }).max_depth).toBe(0);
  });

  it('says what is wrong with a URL or the options', () => {
    expect(problems({})).toMatchObject({ url: expect.stringMatching(/^Enter the RabbitMQ URL, like amqp:\/\//) });
    expect(problems({ url: 'http://rabbit.example.com:15672' }).url).toBe(
      'http:// is not a RabbitMQ URL (that is the management UI; the broker listens on amqp://…:5672). Use an amqp:// or amqps:// URL, like amqp://user:password@rabbit.example.com:5672/vhost',
    );
    expect(problems({ url: 'rabbit.example.com:5672' }).url).toMatch(/^Enter the whole URL with its scheme: use an amqp:\/\/ or amqps:\/\/ URL/);
    expect(problems({ url: 'amqp://:5672' }).url).toMatch(/^Add the server's host name/);
    expect(problems({ url: 'amqp://guest:guest@/vhost' }).url).toMatch(/^Add the server's host name/);
    expect(problems({ url: 'amqp://bad_host!:5672' }).url).toMatch(/not a host name or IP address/);
    expect(problems({ url: 'amqp://rabbit.example.com:0' }).url).toBe('Ports are 1–65535');
    expect(problems({ url: 'amqp://r.example.com', max_depth: '-1', queue: 'q' }).max_depth).toBe('The maximum depth must be at least 0');
    expect(problems({ url: 'amqp://r.example.com', max_depth: 'many', queue: 'q' }).max_depth).toBe('The maximum depth must be a number');
    expect(problems({ url: 'amqp://r.example.com', max_depth: '10' }).max_depth).toBe('Name the queue whose depth to check');
  });

  it('keeps the URL and password secret: the target shows neither', () => {
    expect(amqpCheck.secrets).toEqual(['url', 'password']);
    const s = parse({ url: 'amqps://app:s3cr%40t@rabbit.example.com/prod?heartbeat=10', queue: 'jobs' });
    expect(amqpCheck.target(s)).toBe('amqps://app@rabbit.example.com:5671/prod?… queue jobs');
    expect(amqpCheck.target(s)).not.toContain('s3cr');
    expect(amqpCheck.hosts(s)).toEqual(['rabbit.example.com']);
    expect(amqpCheck.target(parse({ url: 'amqp://[2001:db8::1]' }))).toBe('amqp://[2001:db8::1]:5672');
    expect(amqpCheck.hosts(parse({ url: 'amqp://[2001:db8::1]' }))).toEqual(['2001:db8::1']);
    expect(amqpCheck.probed).toBe(true);
  });
});

describe('AMQP check without a broker', () => {
  it('is blocked by the SaaS guard before connecting', async () => {
    const r = await amqpCheck.run(parse({ url: 'amqp://guest:guest@127.0.0.1:5672' }), ctx({ guard: SAAS_GUARD }));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^Blocked: 127\.0\.0\.1 is a private or reserved address/) });
    expect((await amqpCheck.run(parse({ url: 'amqp://localhost' }), ctx({ guard: BLOCK_ALL }))).error).toBe('Blocked: localhost is not allowed on this instance');
  });

  it('names a refused port and a server that never answers (within the timeout, socket closed)', async () => {
    const port = await closedPort();
    expect((await amqpCheck.run(parse({ url: `amqp://127.0.0.1:${port}` }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);
    const silent = await silentServer();
    try {
      const started = Date.now();
      const r = await amqpCheck.run(parse({ url: `amqp://127.0.0.1:${silent.port}` }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no AMQP handshake with 127.0.0.1:${silent.port} within 0.5 s`);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await seesClose(silent.accepted[0])).toBe(true);
    } finally {
      await silent.close();
    }
  });

  it('amqps: checks the certificate against the name in the URL while dialling the checked address', async () => {
    const cert = selfSignedCert();
    const port = await closedPort();
    const front = await tlsProxy(cert, port); // TLS to nothing behind: the handshake is what is tested
    try {
      const untrusted = await amqpCheck.run(parse({ url: `amqps://${TEST_HOST}:${front.port}` }), ctx({ guard: namedGuard() }));
      expect(untrusted.error).toBe('TLS error: self-signed certificate');
      const mismatch = await amqpCheck.run(parse({ url: `amqps://127.0.0.1:${front.port}` }), ctx({ guard: SAAS_LOOPBACK, ca: cert.cert }));
      expect(mismatch.error).toBe('TLS error: certificate does not match 127.0.0.1');
    } finally {
      await front.close();
    }
  });
});

const url = serviceUrl('amqp');

describe.skipIf(!url)('AMQP check against RabbitMQ', () => {
  const queue = uniqueName('statusping-probe-q');
  const empty = uniqueName('statusping-probe-empty');
  let conn: amqp.ChannelModel;
  let ch: amqp.ConfirmChannel;
  const base = new URL(url ?? 'amqp://x');
  const at = (o: { user?: string; pass?: string; port?: number; vhost?: string } = {}) =>
    `amqp://${o.user ?? decodeURIComponent(base.username || 'guest')}:${o.pass ?? decodeURIComponent(base.password || 'guest')}@${base.hostname}:${o.port ?? (base.port || 5672)}/${o.vhost ?? ''}`;

  beforeAll(async () => {
    conn = await amqp.connect(url!);
    ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: false, autoDelete: false });
    await ch.assertQueue(empty, { durable: false, autoDelete: false });
    for (let i = 0; i < 120; i++) ch.sendToQueue(queue, Buffer.from(`job ${i}`));
    await ch.waitForConfirms();
  });
  afterAll(async () => {
    await ch?.deleteQueue(queue).catch(() => undefined);
    await ch?.deleteQueue(empty).catch(() => undefined);
    await conn?.close();
  });

  it('up: connects and logs in, through the SaaS guard when loopback is allowed, leaving no socket open', async () => {
    const before = openSockets();
    const r = await amqpCheck.run(parse({ url: url! }), ctx());
    expect(r).toMatchObject({ ok: true, error: null });
    expect(r.responseMs).toBeGreaterThanOrEqual(0);
    expect(await amqpCheck.run(parse({ url: url! }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('the separate password replaces the one in the URL', async () => {
    const r = await amqpCheck.run(parse({ url: at({ pass: 'not-this-one' }), password: decodeURIComponent(base.password || 'guest') }), ctx());
    expect(r).toMatchObject({ ok: true });
  });

  it('down: wrong password, unknown vhost, wrong port', async () => {
    const before = openSockets();
    expect((await amqpCheck.run(parse({ url: at({ pass: 'wrong-password' }) }), ctx())).error).toBe(`Authentication failed: ${base.hostname}:${base.port || 5672} refused the user name or password`);
    expect((await amqpCheck.run(parse({ url: at({ vhost: uniqueName('no-such-vhost') }) }), ctx())).error).toMatch(/^Not authorized: vhost no-such-vhost-\S+ does not exist or the user may not use it$/);
    const port = await closedPort();
    expect((await amqpCheck.run(parse({ url: at({ port }) }), ctx())).error).toBe(`Connection refused by ${base.hostname}:${port}`);
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('queue: within its maximum depth, over it, and missing', async () => {
    const before = openSockets();
    expect(await amqpCheck.run(parse({ url: url!, queue }), ctx())).toMatchObject({ ok: true });
    expect(await amqpCheck.run(parse({ url: url!, queue, max_depth: '120' }), ctx())).toMatchObject({ ok: true });
    expect(await amqpCheck.run(parse({ url: url!, queue: empty, max_depth: '0' }), ctx())).toMatchObject({ ok: true });
    const deep = await amqpCheck.run(parse({ url: url!, queue, max_depth: '100' }), ctx());
    expect(deep).toMatchObject({ ok: false, error: `Queue ${queue} has 120 messages (limit 100)` });
    const missing = uniqueName('statusping-probe-missing');
    expect((await amqpCheck.run(parse({ url: url!, queue: missing }), ctx())).error).toBe(`Queue ${missing} does not exist (vhost /)`);
    // Only inspected: the check never declares the queue it was told about.
    await expect(conn.createChannel().then(async (c) => c.on('error', () => undefined).checkQueue(missing))).rejects.toThrow(/NOT_FOUND/);
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('amqps through a TLS front to the real broker: the certificate is checked against the URL name', async () => {
    const cert = selfSignedCert();
    const front = await tlsProxy(cert, Number(base.port || 5672));
    try {
      const creds = `${base.username || 'guest'}:${base.password || 'guest'}`;
      const lookups: string[] = [];
      const r = await amqpCheck.run(parse({ url: `amqps://${creds}@${TEST_HOST}:${front.port}`, queue }), ctx({ guard: namedGuard(lookups), ca: cert.cert }));
      expect(r).toMatchObject({ ok: true, error: null });
      expect(lookups).toEqual([TEST_HOST]);
    } finally {
      await front.close();
    }
  });
});
