import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, jsonPost, optionalText, optionalUrlField, secretUrlField } from './channel.ts';

/** Mattermost incoming webhook: Markdown `text`, optionally posted under another name and icon. */
export const mattermost = defineChannel({
  kind: 'mattermost',
  label: 'Mattermost',
  sends: 'Incoming webhook: Markdown `text`, optional `username` and `icon_url`',
  plan: 'business',
  config: z.object({
    url: secretUrlField('An incoming-webhook URL (Integrations → Incoming Webhooks).'),
    username: optionalText({ label: 'Post as (optional)', help: 'Needs “Enable integrations to override usernames” on the server.' }, 64),
    icon_url: optionalUrlField({ label: 'Icon URL (optional)', help: 'Needs “Enable integrations to override profile picture icons”.' }),
  }),
  redact: (c) => hostOf(c.url),
  render(e, c, ctx) {
    const { title, summary } = describeEvent(e);
    return jsonPost(c.url, {
      text: `#### ${title}\n${summary}\n[Open the monitor](${e.link})`,
      ...(c.username ? { username: c.username } : {}),
      ...(c.icon_url ? { icon_url: c.icon_url } : {}),
    }, ctx);
  },
});
