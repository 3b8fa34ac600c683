import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, jsonPost, secretUrlField } from './channel.ts';

/** Microsoft Teams incoming webhook: a message with an Adaptive Card attachment. */
export const teams = defineChannel({
  kind: 'teams',
  label: 'Microsoft Teams',
  sends: 'Incoming webhook (Workflows): a message with an Adaptive Card',
  plan: 'business',
  config: z.object({ url: secretUrlField('A Microsoft Teams incoming-webhook (Workflows) URL.') }),
  redact: (config) => hostOf(config.url),
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(config.url, {
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
});
