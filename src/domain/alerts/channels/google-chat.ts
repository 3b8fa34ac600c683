import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, incidentKey, jsonPost, secretUrlField } from './channel.ts';

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/**
 * Google Chat incoming webhook: `text` (what notifications show) and a cardsV2 card with a
 * button. Alerts of one incident share a thread (`threadKey`), so a recovery replies to its outage.
 */
export const googleChat = defineChannel({
  kind: 'google_chat',
  label: 'Google Chat',
  sends: 'Incoming webhook: `text` and a cardsV2 card with a link; one thread per incident',
  plan: 'business',
  // The webhook URL carries its key and token.
  config: z.object({ url: secretUrlField('A space’s webhook URL (Apps & integrations → Webhooks).') }),
  redact: (c) => hostOf(c.url),
  render(e, c, ctx) {
    const { title, summary } = describeEvent(e);
    const url = new URL(c.url);
    url.searchParams.set('threadKey', incidentKey(e, ctx));
    url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    return jsonPost(url.toString(), {
      text: title,
      cardsV2: [
        {
          cardId: 'statusping-alert',
          card: {
            header: { title: e.monitor.name, subtitle: e.monitor.url },
            sections: [
              {
                widgets: [
                  { textParagraph: { text: esc(summary) } },
                  { buttonList: { buttons: [{ text: 'Open the monitor', onClick: { openLink: { url: e.link } } }] } },
                ],
              },
            ],
          },
        },
      ],
    }, ctx);
  },
});
