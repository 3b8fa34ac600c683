import { describe, expect, it } from 'vitest';
import { opsgenie } from '../../../src/domain/alerts/channels/opsgenie.ts';
import { DOWN, renderCtx, TEST_EVENT, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const KEY = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const config = { api_key: KEY, region: 'us', priority: 'P2' };

describe('Opsgenie payloads (Alert API v2)', () => {
  it('down creates an alert: GenieKey auth, the incident as alias, message ≤ 130 characters, the chosen priority', () => {
    const msg = opsgenie.render(DOWN, config, renderCtx('https://og.test'));
    expect(msg).toMatchObject({ type: 'http', url: 'https://og.test/v2/alerts', headers: { authorization: `GenieKey ${KEY}`, 'content-type': 'application/json' } });
    const body = JSON.parse((msg as { body: string }).body);
    expect(body).toMatchObject({ message: 'Checkout API is down', alias: 'statusping-incident-7', priority: 'P2', source: 'StatusPing', entity: 'Checkout API' });
    expect(body.description).toContain('Unexpected status 503');
    expect(body.description).toContain(DOWN.link);
    expect(body.details).toMatchObject({ url: 'https://shop.example/health', link: DOWN.link });
    const long = opsgenie.render({ ...DOWN, monitor: { ...DOWN.monitor, name: 'x'.repeat(300) } }, config, renderCtx());
    expect(JSON.parse((long as { body: string }).body).message).toHaveLength(130);
  });

  it('up closes the alert by alias; test messages are P5 with their own alias', () => {
    const up = opsgenie.render(UP, config, renderCtx('https://og.test'));
    expect(up).toMatchObject({ url: 'https://og.test/v2/alerts/statusping-incident-7/close?identifierType=alias', headers: { authorization: `GenieKey ${KEY}` } });
    expect(JSON.parse((up as { body: string }).body)).toMatchObject({ source: 'StatusPing', note: expect.stringContaining('back up after 5m 0s') });
    const test = JSON.parse((opsgenie.render(TEST_EVENT, config, renderCtx('https://og.test', 'test:channel-3:abc')) as { body: string }).body);
    expect(test).toMatchObject({ priority: 'P5', alias: 'statusping-test-test:channel-3:abc' });
  });

  it('the EU region uses the EU API base', () => {
    const ctx = { ...renderCtx(), providers: { ...renderCtx().providers, opsgenie: 'https://us.test', opsgenieEu: 'https://eu.test' } };
    expect((opsgenie.render(DOWN, { ...config, region: 'eu' }, ctx) as { url: string }).url).toBe('https://eu.test/v2/alerts');
    expect(opsgenie.redact({ ...config, region: 'eu' })).toBe('api.eu.opsgenie.com');
  });

  it('takes down, up, reminders and tests, not flapping or certificate notices (nothing would close them)', () => {
    expect(['down', 'up', 'reminder', 'test'].every((e) => opsgenie.accepts(e as never))).toBe(true);
    expect(opsgenie.accepts('flapping')).toBe(false);
    expect(opsgenie.accepts('tls_expiry')).toBe(false);
  });
});

describe.each(testDbKinds())('Opsgenie delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage creates then closes one alert, and a bad key is refused when saved', async () => {
    rx.respond = () => ({ status: 202, body: '{"result":"Request will be processed","requestId":"r1"}' });
    const { received, log } = await run.outage({ kind: 'opsgenie', name: 'On-call', ...config });
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/alerts', 'POST /v2/alerts/statusping-incident-1/close?identifierType=alias']);
    expect(received.every((r) => r.headers.authorization === `GenieKey ${KEY}`)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ alias: 'statusping-incident-1', priority: 'P2' });
    expect(log.map((l) => l.response)).toEqual([expect.stringMatching(/^HTTP 202/), expect.stringMatching(/^HTTP 202/)]);
    await expect(run.create({ kind: 'opsgenie', name: 'Bad', api_key: 'short', region: 'us', priority: 'P1' })).rejects.toThrow('An Opsgenie API key looks like');
    await expect(run.create({ kind: 'opsgenie', name: 'Bad', api_key: KEY, region: 'mars', priority: 'P1' })).rejects.toThrow('Choose one of');
  });
});
