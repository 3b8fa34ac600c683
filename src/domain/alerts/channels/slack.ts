import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, jsonPost, secretUrlField } from './channel.ts';

/** Slack incoming webhook: `text` plus a section block with a link. */
export const slack = defineChannel({
  kind: 'slack',
  label: 'Slack',
  sends: 'Incoming webhook: `text` and a section block with a link',
  plan: 'business',
  config: z.object({ url: secretUrlField('A Slack incoming-webhook URL.') }),
  redact: (config) => hostOf(config.url),
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(config.url, {
      text: `${title}: ${summary}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${summary}\n<${e.link}|Open the monitor>` } },
      ],
    }, ctx);
  },
});
