import { describeEvent } from '../alerts.ts';
import { type ChannelPlugin, jsonPost } from './channel.ts';

/** Slack incoming webhook: `text` plus a section block with a link. */
export const slack: ChannelPlugin = {
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(config.url!, {
      text: `${title}: ${summary}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${summary}\n<${e.link}|Open the monitor>` } },
      ],
    }, ctx);
  },
};
