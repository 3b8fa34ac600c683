import { describeEvent } from '../alerts.ts';
import type { ChannelPlugin } from './channel.ts';

/** ntfy: plain-text body to the topic URL, title/priority/tags/click in headers. */
export const ntfy: ChannelPlugin = {
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    const bad = e.event === 'down' || e.event === 'reminder';
    return {
      type: 'http',
      url: config.url!,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'idempotency-key': ctx.idempotencyKey,
        // HTTP headers are Latin-1: the emoji stays in the body, the title goes without it.
        title: title.replace(/^\S+ /, ''),
        priority: bad ? 'high' : 'default',
        tags: bad ? 'rotating_light' : e.event === 'up' ? 'white_check_mark' : 'warning',
        click: e.link,
      },
      body: summary,
    };
  },
};
