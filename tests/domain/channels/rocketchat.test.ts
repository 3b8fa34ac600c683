import { describe, expect, it } from 'vitest';
import { rocketchat } from '../../../src/domain/alerts/channels/rocketchat.ts';
import { DOWN, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const url = 'https://rocket.example.com/hooks/ID/TOKEN';

describe('Rocket.Chat payloads (incoming webhook)', () => {
  it('sends `text` and one attachment with title, link, text and a colour by event', () => {
    const down = JSON.parse((rocketchat.render(DOWN, { url }, renderCtx()) as { body: string }).body);
    expect(down).toEqual({
      text: '🔴 Checkout API is down',
      attachments: [{ title: 'Checkout API', title_link: DOWN.link, text: 'Checkout API is down: Unexpected status 503 (expected 200-399)', color: '#dc2626' }],
    });
    expect(JSON.parse((rocketchat.render(UP, { url }, renderCtx()) as { body: string }).body).attachments[0].color).toBe('#16a34a');
  });
});

describe.each(testDbKinds())('Rocket.Chat delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage posts the down and the recovery to the webhook', async () => {
    rx.respond = () => ({ status: 200, body: '{"success":true}' });
    const { received } = await run.outage({ kind: 'rocketchat', name: 'RC', url: `${rx.url}/hooks/ID/TOKEN` });
    expect(received.map((r) => [r.path, JSON.parse(r.body).text])).toEqual([
      ['/hooks/ID/TOKEN', '🔴 Checkout API is down'],
      ['/hooks/ID/TOKEN', '🟢 Checkout API is back up'],
    ]);
  });
});
