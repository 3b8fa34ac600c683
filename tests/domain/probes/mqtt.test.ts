import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttCheck } from '../../../src/domain/checks/probes/mqtt.ts';
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
  tempDir,
  TEST_HOST,
  type TestCert,
  tlsProxy,
  uniqueName,
  writeReadable,
} from './helpers.ts';

const parse = (input: Record<string, unknown>) => mqttCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = mqttCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('MQTT settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: 'mqtt://broker.example.com' })).toEqual({ url: 'mqtt://broker.example.com', password: '', topic: '', expect: '', client_id: 'statusping-' });
    expect(parse({ url: 'mqtts://broker.example.com', topic: ' sensors/+/status ', expect: 'online', client_id: '' })).toMatchObject({ topic: 'sensors/+/status', expect: 'online', client_id: 'statusping-' });
    expect(parse({ url: 'mqtt://b.example.com', topic: 'a/#', client_id: 'probe_1.' }).client_id).toBe('probe_1.');
  });

  it('says what is wrong with a URL, a topic or the options', () => {
    expect(problems({ url: 'tcp://broker.example.com:1883' }).url).toBe('tcp:// is not an MQTT URL (write mqtt:// instead). Use an mqtt:// or mqtts:// URL, like mqtt://user:password@broker.example.com:1883');
    expect(problems({ url: 'wss://broker.example.com/mqtt' }).url).toMatch(/^wss:\/\/ is not an MQTT URL \(MQTT over WebSocket is not supported/);
    expect(problems({ url: '' }).url).toMatch(/^Enter the MQTT URL/);
    expect(problems({ url: 'mqtt://b.example.com', topic: 'a/#/b' }).topic).toBe('# must be the last level on its own, like sensors/#');
    expect(problems({ url: 'mqtt://b.example.com', topic: 'a/b+' }).topic).toBe('+ must be a whole level on its own, like sensors/+/temperature');
    expect(problems({ url: 'mqtt://b.example.com', expect: 'ok' }).expect).toMatch(/^Set a topic/);
    expect(problems({ url: 'mqtt://b.example.com', client_id: 'has space' }).client_id).toMatch(/letters, digits/);
  });

  it('keeps the URL and password secret: the target shows neither', () => {
    expect(mqttCheck.secrets).toEqual(['url', 'password']);
    expect(mqttCheck.target(parse({ url: 'mqtts://iot:pa55@broker.example.com', topic: 'sensors/#' }))).toBe('mqtts://iot@broker.example.com:8883 topic sensors/#');
    // A lone user name can be a token (several hosted brokers): not shown either.
    expect(mqttCheck.target(parse({ url: 'mqtt://FlespiTokenXYZ@broker.example.com:1883' }))).toBe('mqtt://broker.example.com:1883');
    expect(mqttCheck.hosts(parse({ url: 'mqtt://broker.example.com' }))).toEqual(['broker.example.com']);
  });
});

describe('MQTT check without a broker', () => {
  it('is blocked by the SaaS guard; a refused port and a silent server are named, the socket closed', async () => {
    expect((await mqttCheck.run(parse({ url: 'mqtt://127.0.0.1:1883' }), ctx({ guard: SAAS_GUARD }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    const port = await closedPort();
    expect((await mqttCheck.run(parse({ url: `mqtt://127.0.0.1:${port}` }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);
    const silent = await silentServer();
    try {
      const r = await mqttCheck.run(parse({ url: `mqtt://127.0.0.1:${silent.port}` }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no MQTT answer (CONNACK) from 127.0.0.1:${silent.port} within 0.5 s`);
      expect(await seesClose(silent.accepted[0])).toBe(true);
    } finally {
      await silent.close();
    }
  });
});

const url = serviceUrl('mqtt');

describe.skipIf(!url)('MQTT check against Mosquitto', () => {
  let pub: mqtt.MqttClient;
  let cert: TestCert;
  const base = new URL(url ?? 'mqtt://x');
  const topic = `statusping/${uniqueName('probe')}`;
  beforeAll(async () => {
    pub = await mqtt.connectAsync(url!, { clientId: uniqueName('statusping-test') });
    cert = selfSignedCert();
  });
  afterAll(async () => {
    await pub?.publishAsync(`${topic}/retained`, '', { retain: true }); // clears the retained message
    await pub?.endAsync();
  });

  it('up: connects, through the SaaS guard when loopback is allowed, and disconnects', async () => {
    const before = openSockets();
    expect(await mqttCheck.run(parse({ url: url! }), ctx())).toMatchObject({ ok: true, error: null });
    expect(await mqttCheck.run(parse({ url: url! }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('subscribe: a retained message, a live one, a keyword, and none within the timeout', async () => {
    const before = openSockets();
    await pub.publishAsync(`${topic}/retained`, 'status: online', { retain: true, qos: 1 });
    expect(await mqttCheck.run(parse({ url: url!, topic: `${topic}/#` }), ctx())).toMatchObject({ ok: true });
    expect(await mqttCheck.run(parse({ url: url!, topic: `${topic}/+`, expect: 'online' }), ctx())).toMatchObject({ ok: true });

    // A live message, published while the check waits (repeatedly, since we cannot see when it subscribed).
    const live = setInterval(() => pub.publish(`${topic}/live`, 'heartbeat ok'), 100);
    try {
      expect(await mqttCheck.run(parse({ url: url!, topic: `${topic}/live`, expect: 'ok' }), ctx())).toMatchObject({ ok: true });
    } finally {
      clearInterval(live);
    }

    const quiet = await mqttCheck.run(parse({ url: url!, topic: `${topic}/quiet` }), ctx({ timeoutMs: 700 }));
    expect(quiet).toMatchObject({ ok: false, error: `Timeout: no message on ${topic}/quiet within 0.7 s` });
    expect(quiet.responseMs).toBeGreaterThanOrEqual(690);
    const wrong = await mqttCheck.run(parse({ url: url!, topic: `${topic}/retained`, expect: 'offline' }), ctx({ timeoutMs: 700 }));
    expect(wrong.error).toBe(`Timeout: no message containing "offline" on ${topic}/retained (1 other message) within 0.7 s`);
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('down: a wrong port is refused', async () => {
    const port = await closedPort();
    expect((await mqttCheck.run(parse({ url: `mqtt://${base.hostname}:${port}` }), ctx())).error).toBe(`Connection refused by ${base.hostname}:${port}`);
  });

  it('mqtts through a TLS front to the real broker: the certificate is checked against the URL name', async () => {
    const front = await tlsProxy(cert, Number(base.port || 1883));
    try {
      const lookups: string[] = [];
      await pub.publishAsync(`${topic}/retained`, 'status: online', { retain: true, qos: 1 });
      const ok = await mqttCheck.run(parse({ url: `mqtts://${TEST_HOST}:${front.port}`, topic: `${topic}/retained`, expect: 'online' }), ctx({ guard: namedGuard(lookups), ca: cert.cert }));
      expect(ok).toMatchObject({ ok: true, error: null });
      expect(lookups).toEqual([TEST_HOST]);
      expect((await mqttCheck.run(parse({ url: `mqtts://${TEST_HOST}:${front.port}` }), ctx({ guard: namedGuard() }))).error).toBe('TLS error: self-signed certificate');
      expect((await mqttCheck.run(parse({ url: `mqtts://127.0.0.1:${front.port}` }), ctx({ ca: cert.cert }))).error).toBe('TLS error: certificate does not match 127.0.0.1');
    } finally {
      await front.close();
    }
  });
});

// Credentials need a broker that checks them: a second Mosquitto, started here with a password file.
describe.skipIf(!url || !hasProgram('mosquitto') || !hasProgram('mosquitto_passwd'))('MQTT check against a Mosquitto with passwords', () => {
  let broker: Spawned;
  beforeAll(async () => {
    const dir = tempDir('statusping-mosquitto-');
    const port = await freePort();
    execFileSync('mosquitto_passwd', ['-b', '-c', path.join(dir, 'passwd'), 'alice', 'wonder land'], { stdio: 'ignore' });
    chmodSync(path.join(dir, 'passwd'), 0o644);
    writeReadable(
      path.join(dir, 'mosquitto.conf'),
      [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${dir}/passwd`, 'persistence false', ''].join('\n'),
    );
    broker = await spawnServer('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], port, dir);
  });
  afterAll(() => broker?.stop());

  it('right credentials pass; a wrong password and no credentials are refused', async () => {
    const at = `127.0.0.1:${broker.port}`;
    expect(await mqttCheck.run(parse({ url: `mqtt://alice:wonder%20land@${at}` }), ctx())).toMatchObject({ ok: true });
    expect(await mqttCheck.run(parse({ url: `mqtt://alice:nope@${at}`, password: 'wonder land' }), ctx())).toMatchObject({ ok: true });
    expect((await mqttCheck.run(parse({ url: `mqtt://alice:nope@${at}` }), ctx())).error).toBe('Not authorized (the broker refused the connection)');
    expect((await mqttCheck.run(parse({ url: `mqtt://${at}` }), ctx())).error).toBe('Not authorized (the broker refused the connection)');
  });
});
