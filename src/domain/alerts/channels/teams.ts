import { describeEvent } from '../alerts.ts';
import { type ChannelPlugin, jsonPost } from './channel.ts';

/** Microsoft Teams incoming webhook: a message with an Adaptive Card attachment. */
export const teams: ChannelPlugin = {
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(config.url!, {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: title, wrap: true },
              { type: 'TextBlock', text: summary, wrap: true },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open the monitor', url: e.link }],
          },
        },
      ],
    }, ctx);
  },
};
