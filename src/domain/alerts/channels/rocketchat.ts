import { z } from 'zod';
import { describeEvent, isBad } from '../event.ts';
import { defineChannel, hostOf, jsonPost, secretUrlField } from './channel.ts';

/** Rocket.Chat incoming webhook: `text` and one attachment linking to the monitor. */
export const rocketchat = defineChannel({
  kind: 'rocketchat',
  label: 'Rocket.Chat',
  sends: 'Incoming webhook: `text` and an attachment with a link, coloured by event',
  plan: 'business',
  config: z.object({ url: secretUrlField('An incoming-webhook URL (Administration → Integrations), token included.') }),
  redact: (c) => hostOf(c.url),
  render(e, c, ctx) {
    const { title, summary } = describeEvent(e);
    const color = isBad(e) ? '#dc2626' : e.event === 'up' ? '#16a34a' : e.event === 'test' ? '#4f46e5' : '#ea580c';
    return jsonPost(c.url, {
      text: title,
      attachments: [{ title: e.monitor.name, title_link: e.link, text: summary, color }],
    }, ctx);
  },
});
