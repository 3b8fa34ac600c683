import { describe, expect, it } from 'vitest';
import { googleChat } from '../../../src/domain/alerts/channels/google-chat.ts';
import { DOWN, renderCtx, UP, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const URL_ = 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEY&token=TOKEN';

describe('Google Chat payloads (incoming webhook)', () => {
  it('sends `text` and a cardsV2 card with the summary and a link button, into the incident’s thread', () => {
    const msg = googleChat.render(DOWN, { url: URL_ }, renderCtx()) as { url: string; body: string };
    const url = new URL(msg.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://chat.googleapis.com/v1/spaces/AAAA/messages');
    expect(Object.fromEntries(url.searchParams)).toEqual({ key: 'KEY', token: 'TOKEN', threadKey: 'statusping-incident-7', messageReplyOption: 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD' });
    const body = JSON.parse(msg.body);
    expect(body.text).toBe('🔴 Checkout API is down');
    const card = body.cardsV2[0];
    expect(card.cardId).toBe('statusping-alert');
    expect(card.card.header).toEqual({ title: 'Checkout API', subtitle: 'https://shop.example/health' });
    const [paragraph, buttons] = card.card.sections[0].widgets;
    expect(paragraph.textParagraph.text).toContain('Unexpected status 503');
    expect(buttons.buttonList.buttons[0]).toEqual({ text: 'Open the monitor', onClick: { openLink: { url: DOWN.link } } });
    const up = googleChat.render(UP, { url: URL_ }, renderCtx()) as { url: string };
    expect(new URL(up.url).searchParams.get('threadKey')).toBe('statusping-incident-7');
  });

  it('escapes markup in the card text', () => {
    const msg = googleChat.render({ ...DOWN, monitor: { ...DOWN.monitor, name: '<b>x</b>' } }, { url: URL_ }, renderCtx()) as { body: string };
    expect(JSON.parse(msg.body).cardsV2[0].card.sections[0].widgets[0].textParagraph.text).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe.each(testDbKinds())('Google Chat delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage posts the down and the recovery into one thread', async () => {
    const { received } = await run.outage({ kind: 'google_chat', name: 'Space', url: `${rx.url}/v1/spaces/AAAA/messages?key=K&token=T` });
    expect(received).toHaveLength(2);
    const keys = received.map((r) => new URL(r.path, rx.url).searchParams.get('threadKey'));
    expect(keys).toEqual(['statusping-incident-1', 'statusping-incident-1']);
    expect(JSON.parse(received[1]!.body).text).toBe('🟢 Checkout API is back up');
  });
});
