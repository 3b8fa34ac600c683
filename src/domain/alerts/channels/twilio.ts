import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { clip, defineChannel, field, formPost } from './channel.ts';

const phone = /^\+[1-9]\d{6,14}$/;

/** Twilio Messages API: one SMS per alert, form-encoded, Basic auth with the account SID and auth token. */
export const twilio = defineChannel({
  kind: 'twilio',
  label: 'Twilio SMS',
  sends: '`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (To, From, Body) with Basic auth',
  plan: 'business',
  config: z.object({
    account_sid: field(z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'An account SID is AC followed by 32 hex digits'), { label: 'Account SID', input: 'text', help: 'On the Twilio console’s dashboard.' }),
    auth_token: field(z.string().trim().regex(/^[0-9a-fA-F]{32}$/, 'An auth token is 32 hex digits'), { label: 'Auth token', input: 'secret' }),
    from: field(z.string().trim().regex(new RegExp(`${phone.source}|^MG[0-9a-fA-F]{32}$`), 'A Twilio number like +14155550100, or a messaging service SID (MG…)'), {
      label: 'From', input: 'text', help: 'Your Twilio number (E.164, e.g. +14155550100) or a messaging service SID.',
    }),
    to: field(z.string().trim().regex(phone, 'A phone number in E.164 form, e.g. +14155550123'), { label: 'To', input: 'text', help: 'The phone that gets the SMS, e.g. +14155550123.' }),
  }),
  redact: () => 'api.twilio.com',
  render(e, c, ctx) {
    // Plain text without emoji: one GSM-7 segment holds 160 characters, a UCS-2 one only 70.
    const { summary } = describeEvent(e);
    const sender = c.from.startsWith('MG') ? { MessagingServiceSid: c.from } : { From: c.from };
    return formPost(`${ctx.providers.twilio}/2010-04-01/Accounts/${c.account_sid}/Messages.json`, {
      To: c.to,
      ...sender,
      Body: `StatusPing: ${clip(summary, 240)}\n${e.link}`,
    }, ctx, { authorization: `Basic ${Buffer.from(`${c.account_sid}:${c.auth_token}`).toString('base64')}` });
  },
});
