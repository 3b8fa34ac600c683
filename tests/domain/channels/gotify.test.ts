import { describe, expect, it } from 'vitest';
import { gotify } from '../../../src/domain/alerts/channels/gotify.ts';
import { DOWN, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const config = { server: 'https://gotify.example.com/', app_token: 'AKvwGZ1.bA_9xQz' };

describe('Gotify payloads (message API)', () => {
  it('POSTs {title, message, priority} to /message with the token in X-Gotify-Key, not the URL', () => {
    const msg = gotify.render(DOWN, config, renderCtx()) as { url: string; headers: Record<string, string>; body: string };
    expect(msg.url).toBe('https://gotify.example.com/message');
    expect(msg.headers['x-gotify-key']).toBe(config.app_token);
    expect(msg.url).not.toContain(config.app_token);
    expect(JSON.parse(msg.body)).toEqual({
      title: 'Checkout API is down',
      message: `Checkout API is down: Unexpected status 503 (expected 200-399)\n\n[Open the monitor](${DOWN.link})`,
      priority: 8,
      extras: { 'client::display': { contentType: 'text/markdown' }, 'client::notification': { click: { url: DOWN.link } } },
    });
    expect(JSON.parse((gotify.render(UP, config, renderCtx()) as { body: string }).body).priority).toBe(5);
  });
});

describe.each(testDbKinds())('Gotify delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage posts two messages to the server; a 401 is a permanent failure', async () => {
    const { received } = await run.outage({ kind: 'gotify', name: 'Phone', server: rx.url, app_token: config.app_token });
    expect(received.map((r) => [r.method, r.path, r.headers['x-gotify-key']])).toEqual([
      ['POST', '/message', config.app_token],
      ['POST', '/message', config.app_token],
    ]);
    rx.respond = () => ({ status: 401, body: '{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token"}' });
    expect(await run.test({ kind: 'gotify', name: 'Phone 2', server: rx.url, app_token: config.app_token })).toMatchObject({ ok: false, permanent: true });
  });
});
