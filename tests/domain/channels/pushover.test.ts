import { describe, expect, it } from 'vitest';
import { pushover } from '../../../src/domain/alerts/channels/pushover.ts';
import { DOWN, formBody, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const config = { app_token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', user_key: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG', priority: '1' };

describe('Pushover payloads (Message API)', () => {
  it('POSTs the form the API documents: token, user, title, message, url, priority, timestamp', () => {
    const msg = pushover.render(DOWN, config, renderCtx('https://po.test'));
    expect(msg).toMatchObject({ type: 'http', url: 'https://po.test/1/messages.json', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(formBody((msg as { body: string }).body)).toEqual({
      token: config.app_token,
      user: config.user_key,
      title: 'Checkout API is down',
      message: 'Checkout API is down: Unexpected status 503 (expected 200-399)',
      url: DOWN.link,
      url_title: 'Open the monitor',
      priority: '1',
      timestamp: String(Math.floor(DOWN.at / 1000)),
    });
  });

  it('recoveries go at normal priority; emergency adds retry and expire; quiet stays quiet', () => {
    const at = (event: typeof DOWN, priority: string) => formBody((pushover.render(event, { ...config, priority }, renderCtx()) as { body: string }).body);
    expect(at(UP, '1').priority).toBe('0');
    expect(at(DOWN, '2')).toMatchObject({ priority: '2', retry: '300', expire: '3600' });
    expect(at(UP, '2')).not.toHaveProperty('retry');
    expect(at(DOWN, '-1').priority).toBe('-1');
    expect(at(UP, '-1').priority).toBe('-1');
    const long = at({ ...DOWN, incident: { ...DOWN.incident!, cause: 'x'.repeat(2000) } }, '1');
    expect(long.message!.length).toBe(1024);
  });
});

describe.each(testDbKinds())('Pushover delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage sends a high-priority down and a normal recovery; bad keys are refused when saved', async () => {
    rx.respond = () => ({ status: 200, body: '{"status":1,"request":"647d2300-702c-4b38-8b2f-d56326ae460b"}' });
    const { received } = await run.outage({ kind: 'pushover', name: 'Phone', ...config });
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /1/messages.json', 'POST /1/messages.json']);
    expect(received.map((r) => formBody(r.body).priority)).toEqual(['1', '0']);
    expect(formBody(received[1]!.body).title).toBe('Checkout API is back up');
    await expect(run.create({ kind: 'pushover', name: 'Bad', ...config, user_key: 'nope' })).rejects.toThrow('The user or group key is 30 letters and digits');
  });

  it('a 400 for a bad token is a permanent failure, not retried', async () => {
    rx.respond = () => ({ status: 400, body: '{"token":"invalid","errors":["application token is invalid"],"status":0}' });
    const outcome = await run.test({ kind: 'pushover', name: 'Phone', ...config });
    expect(outcome).toMatchObject({ ok: false, permanent: true, response: expect.stringContaining('application token is invalid') });
  });
});
