import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, hostOf, secretUrlField } from './channel.ts';

/** ntfy: plain-text body to the topic URL, title/priority/tags/click in headers. */
export const ntfy = defineChannel({
  kind: 'ntfy',
  label: 'ntfy',
  sends: 'POST to the topic URL with title, priority and tags',
  plan: 'business',
  // Anyone who knows a topic URL can read the topic: a credential.
  config: z.object({ url: secretUrlField('The topic URL, e.g. https://ntfy.sh/my-alerts.') }),
  redact: (config) => hostOf(config.url),
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    const bad = e.event === 'down' || e.event === 'reminder';
    return {
      type: 'http',
      url: config.url,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'idempotency-key': ctx.idempotencyKey,
        // Header values must be Latin-1; ntfy decodes RFC 2047, so any name survives.
        title: `=?UTF-8?B?${Buffer.from(title.replace(/^\S+ /, '')).toString('base64')}?=`,
        priority: bad ? 'high' : 'default',
        tags: bad ? 'rotating_light' : e.event === 'up' ? 'white_check_mark' : 'warning',
        click: e.link,
      },
      body: summary,
    };
  },
});
