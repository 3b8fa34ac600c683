import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, jsonPost, secretUrlField } from './channel.ts';

const COLORS = { down: 0xdc2626, reminder: 0xdc2626, up: 0x16a34a, flapping: 0xea580c, tls_expiry: 0xea580c, test: 0x4f46e5 } as const;

/** Discord webhook: `content` and one embed. */
export const discord = defineChannel({
  kind: 'discord',
  label: 'Discord',
  sends: 'Channel webhook: `content` and one embed, coloured by event',
  plan: 'business',
  config: z.object({ url: secretUrlField('A Discord channel webhook URL.') }),
  redact: (config) => hostOf(config.url),
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(config.url, {
      content: title,
      embeds: [{ title, description: summary, url: e.link, color: COLORS[e.event], timestamp: new Date(e.at).toISOString() }],
    }, ctx);
  },
});
