import { z } from 'zod';
import { describeEvent, isBad, plainTitle } from '../event.ts';
import { clip, defineChannel, field, formPost, selectField } from './channel.ts';

const PRIORITIES = [
  ['1', 'High: bypasses quiet hours'],
  ['2', 'Emergency: repeats every 5 minutes until acknowledged (for an hour)'],
  ['0', 'Normal'],
  ['-1', 'Quiet: no sound or vibration'],
] as const;

const key = (what: string) => z.string().trim().regex(/^[A-Za-z0-9]{30}$/, `The ${what} is 30 letters and digits`);

/** Pushover Message API: one form POST per alert; the chosen priority for down alerts, normal otherwise. */
export const pushover = defineChannel({
  kind: 'pushover',
  label: 'Pushover',
  sends: '`POST /1/messages.json` with title, message, link and priority (emergency repeats until acknowledged)',
  plan: 'business',
  config: z.object({
    app_token: field(key('application token'), { label: 'Application token', input: 'secret', help: 'Create an application at pushover.net/apps/build.' }),
    user_key: field(key('user or group key'), { label: 'User or group key', input: 'secret', help: 'Shown on your Pushover dashboard.' }),
    priority: selectField({ label: 'Priority of down alerts', help: 'Recoveries and notices are sent at normal priority (or quiet, if chosen here).' }, PRIORITIES),
  }),
  redact: () => 'api.pushover.net',
  render(e, c, ctx) {
    const { summary } = describeEvent(e);
    const chosen = Number(c.priority);
    const priority = isBad(e) ? chosen : Math.min(0, chosen);
    return formPost(`${ctx.providers.pushover}/1/messages.json`, {
      token: c.app_token,
      user: c.user_key,
      title: clip(plainTitle(e), 250),
      message: clip(summary, 1024),
      url: clip(e.link, 512),
      url_title: 'Open the monitor',
      priority,
      timestamp: Math.floor(e.at / 1000),
      // Emergency priority needs both: resend every 5 minutes, for at most an hour.
      ...(priority === 2 ? { retry: 300, expire: 3600 } : {}),
    }, ctx);
  },
});
