import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { amqpCheck } from '../../../src/domain/checks/probes/amqp.ts';
import { withoutSecrets } from '../../../src/domain/checks/probes/connection-errors.ts';
import { underDeadline } from '../../../src/domain/checks/probes/connection-io.ts';
import { choiceSetting, countSetting } from '../../../src/domain/checks/probes/connection-settings.ts';
import { displayUrl, parseConnectionUrl, type UrlSpec } from '../../../src/domain/checks/probes/connection-url.ts';
import { grpcCheck } from '../../../src/domain/checks/probes/grpc.ts';
import { mqttCheck } from '../../../src/domain/checks/probes/mqtt.ts';
import { natsCheck } from '../../../src/domain/checks/probes/nats.ts';
import { smtpCheck } from '../../../src/domain/checks/probes/smtp.ts';
import { websocketCheck } from '../../../src/domain/checks/probes/websocket.ts';
import { ctx, silentServer } from './helpers.ts';

const SPEC: UrlSpec = { protocol: 'Test', schemes: { tst: { port: 1000, tls: false }, tsts: { tls: true } }, example: 'tst://host:1000', credentials: true };

describe('connection URLs', () => {
  it('parses hosts, ports, percent-encoded credentials and paths', () => {
    expect(parseConnectionUrl(' TST://Us%40er:p%3Ass@Example.COM/v%2Fh?x=1 ', SPEC)).toMatchObject({
      scheme: 'tst',
      tls: false,
      host: 'example.com',
      port: 1000,
      username: 'Us@er',
      password: 'p:ss',
      path: 'v/h',
    });
    expect(parseConnectionUrl('tsts://[2001:DB8::1]:99', SPEC)).toMatchObject({ host: '2001:db8::1', port: 99, tls: true });
    expect(parseConnectionUrl('tsts://host', SPEC)).toBe('Add the port, like tst://host:1000');
    expect(parseConnectionUrl('tst://[fe80::1%25eth0]', SPEC)).toMatch(/^Not a valid URL/);
    expect(parseConnectionUrl('tst://127.1', SPEC)).toMatch(/^127\.1 is not a host name or IP address/);
    expect(parseConnectionUrl('tst://host:70000', SPEC)).toMatch(/^Not a valid URL/);
  });

  it('displays without the password, the user only beside one, and the query as ?…', () => {
    expect(displayUrl('tst://u:p@h/x?token=abc', SPEC)).toBe('tst://u@h:1000/x?…');
    expect(displayUrl('tst://token-only@h', SPEC)).toBe('tst://h:1000');
    // Even a URL that does not parse loses its credentials.
    expect(displayUrl('zzz://u:p@h', SPEC)).toBe('zzz://h');
  });

  it('takes secrets out of errors: URL credentials and the values themselves, encoded or not', () => {
    const r = withoutSecrets({ ok: false, statusCode: null, responseMs: 1, error: 'failed for amqp://app:pa%20ss@h and pa%20ss, pa ss and token XYZ123' }, ['pa ss', 'XYZ123', '']);
    expect(r.error).toBe('failed for amqp://h and •••, ••• and token •••');
  });
});

describe('setting helpers', () => {
  it('counts: blank is null (not 0), strings and numbers alike', () => {
    const s = z.object({ n: countSetting('N') });
    expect(s.parse({}).n).toBeNull();
    expect(s.parse({ n: '' }).n).toBeNull();
    expect(s.parse({ n: ' 7 ' }).n).toBe(7);
    expect(s.parse({ n: 0 }).n).toBe(0);
    expect(s.safeParse({ n: '1.5' }).error?.issues[0]?.message).toBe('N must be a whole number');
  });

  it('choices: blank picks the default, case does not matter', () => {
    const s = z.object({ c: choiceSetting(['a', 'b'] as const, 'b', 'Mode') });
    expect(s.parse({}).c).toBe('b');
    expect(s.parse({ c: 'A' }).c).toBe('a');
    expect(s.safeParse({ c: 'x' }).error?.issues[0]?.message).toBe('Mode: choose a or b');
  });
});

describe('every connection type', () => {
  const all = [
    [amqpCheck, 'amqp://h.example.com'],
    [mqttCheck, 'mqtt://h.example.com'],
    [natsCheck, 'nats://h.example.com'],
    [websocketCheck, 'ws://h.example.com'],
    [smtpCheck, 'smtp://h.example.com'],
    [grpcCheck, 'grpc://h.example.com:1'],
  ] as const;

  it('is probed, lists its fields and secrets among its settings, and parses an empty form with only a URL', () => {
    for (const [def, url] of all) {
      expect(def.probed).toBe(true);
      const parsed = def.settings.parse({ url }) as Record<string, unknown>;
      for (const key of Object.keys(def.fields)) expect(parsed, `${def.type}.${key}`).toHaveProperty(key);
      for (const key of def.secrets) expect(parsed, `${def.type}.${key}`).toHaveProperty(key);
      expect(def.hosts(parsed as never)).toEqual(['h.example.com']);
    }
  });

  it('never throws: a stored URL that no longer parses is a failed result, and hosts() is empty', async () => {
    for (const [def] of all) {
      const r = await def.run({ ...(def.settings.parse({ url: all.find(([d]) => d === def)![1] }) as object), url: 'nonsense' } as never, ctx());
      expect(r, def.type).toMatchObject({ ok: false, error: expect.stringMatching(/^Enter the whole URL/) });
      expect(def.hosts({ url: 'nonsense' } as never)).toEqual([]);
    }
  });

  it('answers an abort at once and closes the connection', async () => {
    const silent = await silentServer();
    try {
      for (const [def, url] of all) {
        const controller = new AbortController();
        const target = url.replace(/h\.example\.com(:\d+)?/, `127.0.0.1:${silent.port}`);
        const running = def.run(def.settings.parse({ url: target }) as never, ctx({ timeoutMs: 5000, signal: controller.signal }));
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        expect((await running).error, def.type).toBe('aborted');
        expect(Date.now() - started).toBeLessThan(1000);
      }
    } finally {
      await silent.close();
    }
  });

  it('underDeadline names the step that was waiting when the time ran out', async () => {
    let step = 'could not connect';
    const work = new Promise<void>(() => {
      step = 'no answer to the question';
    });
    await expect(underDeadline(ctx({ timeoutMs: 50 }), work, () => step, () => undefined)).rejects.toThrow('Timeout: no answer to the question within 0.05 s');
  });
});
