import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, field, jsonPost } from './channel.ts';

/** Telegram Bot API sendMessage. */
export const telegram = defineChannel({
  kind: 'telegram',
  label: 'Telegram',
  sends: 'Bot API `sendMessage`, HTML formatted',
  plan: 'business',
  config: z.object({
    bot_token: field(z.string().trim().regex(/^\d+:[\w-]{20,}$/, 'A bot token looks like 123456:ABC-DEF…'), { label: 'Bot token', input: 'secret', help: 'From @BotFather.' }),
    chat_id: field(z.string().trim().regex(/^-?\d+$|^@\w{4,}$/, 'A chat id is a number (or @channelname)'), { label: 'Chat id', input: 'text', help: 'The chat or channel the bot posts to.' }),
  }),
  redact: () => 'api.telegram.org',
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
    return jsonPost(`${ctx.providers.telegram}/bot${config.bot_token}/sendMessage`, {
      chat_id: config.chat_id,
      text: `<b>${esc(title)}</b>\n${esc(summary)}\n<a href="${esc(e.link)}">Open the monitor</a>`,
      parse_mode: 'HTML',
      disable_web_page_preview: true,
    }, ctx);
  },
});
