import { describeEvent } from '../alerts.ts';
import { type ChannelPlugin, jsonPost } from './channel.ts';

/** Telegram Bot API sendMessage. */
export const telegram: ChannelPlugin = {
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
};
