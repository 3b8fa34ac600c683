import { describe, expect, it } from 'vitest';
import { twilio } from '../../../src/domain/alerts/channels/twilio.ts';
import { DOWN, formBody, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = '0123456789abcdef0123456789abcdef';
const config = { account_sid: SID, auth_token: TOKEN, from: '+14155550100', to: '+14155550123' };

describe('Twilio SMS payloads (Messages API)', () => {
  it('POSTs To, From and Body form-encoded to the account’s Messages.json with Basic auth SID:token', () => {
    const msg = twilio.render(DOWN, config, renderCtx('https://tw.test'));
    expect(msg).toMatchObject({ type: 'http', url: `https://tw.test/2010-04-01/Accounts/${SID}/Messages.json`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const auth = (msg as { headers: Record<string, string> }).headers.authorization!;
    expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()).toBe(`${SID}:${TOKEN}`);
    const form = formBody((msg as { body: string }).body);
    expect(Object.keys(form).sort()).toEqual(['Body', 'From', 'To']);
    expect(form).toMatchObject({ To: '+14155550123', From: '+14155550100' });
    expect(form.Body).toBe(`StatusPing: Checkout API is down: Unexpected status 503 (expected 200-399)\n${DOWN.link}`);
  });

  it('a messaging service SID is sent as MessagingServiceSid; bodies stay short and free of emoji', () => {
    const mg = `MG${'a'.repeat(32)}`;
    const form = formBody((twilio.render(UP, { ...config, from: mg }, renderCtx()) as { body: string }).body);
    expect(form).toMatchObject({ MessagingServiceSid: mg });
    expect(form).not.toHaveProperty('From');
    const long = formBody((twilio.render({ ...DOWN, incident: { ...DOWN.incident!, cause: 'x'.repeat(2000) } }, config, renderCtx()) as { body: string }).body);
    expect(long.Body!.length).toBeLessThan(320);
    expect(long.Body).not.toMatch(/[^\x00-\x7f…]/);
  });
});

describe.each(testDbKinds())('Twilio SMS delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage sends two SMS (201 Created); malformed numbers and SIDs are refused when saved', async () => {
    rx.respond = () => ({ status: 201, body: '{"sid":"SM0123","status":"queued"}' });
    const { received, log } = await run.outage({ kind: 'twilio', name: 'SMS', ...config });
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(Array(2).fill(`POST /2010-04-01/Accounts/${SID}/Messages.json`));
    expect(formBody(received[1]!.body).Body).toMatch(/^StatusPing: Checkout API is back up after/);
    expect(log.every((l) => l.ok)).toBeTruthy();
    await expect(run.create({ kind: 'twilio', name: 'Bad', ...config, to: '0155 555' })).rejects.toThrow('E.164');
    await expect(run.create({ kind: 'twilio', name: 'Bad', ...config, account_sid: 'AC123' })).rejects.toThrow('An account SID is AC');
  });
});
