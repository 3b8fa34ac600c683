import { z } from 'zod';
import { describeEvent, isBad, plainTitle } from '../event.ts';
import { defineChannel, field, hostOf, jsonPost, urlField } from './channel.ts';

/** Gotify: POST /message with the app token in X-Gotify-Key (not the query, which servers log). */
export const gotify = defineChannel({
  kind: 'gotify',
  label: 'Gotify',
  sends: '`POST /message` with title, Markdown message and priority (8 when down); token in `X-Gotify-Key`',
  plan: 'business',
  config: z.object({
    server: urlField({ label: 'Server URL', help: 'Your Gotify server, e.g. https://gotify.example.com.' }),
    app_token: field(z.string().trim().regex(/^[\w.-]{8,128}$/, 'Paste the token of a Gotify application'), {
      label: 'Application token', input: 'secret', help: 'Apps → Create application, then copy its token.',
    }),
  }),
  redact: (c) => hostOf(c.server),
  render(e, c, ctx) {
    const { summary } = describeEvent(e);
    return jsonPost(`${c.server.replace(/\/+$/, '')}/message`, {
      title: plainTitle(e),
      message: `${summary}\n\n[Open the monitor](${e.link})`,
      // Gotify's Android app makes 8 and above a heads-up notification.
      priority: isBad(e) ? 8 : 5,
      extras: { 'client::display': { contentType: 'text/markdown' }, 'client::notification': { click: { url: e.link } } },
    }, ctx, { 'x-gotify-key': c.app_token });
  },
});
