import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, field, hostOf, urlField } from './channel.ts';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Matrix client-server API: PUT an m.room.message into the room. The transaction id is the
 * alert's idempotency key, so the homeserver drops a resend after a crash.
 */
export const matrix = defineChannel({
  kind: 'matrix',
  label: 'Matrix',
  sends: '`PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}` (HTML and plain text); the transaction id is the idempotency key',
  plan: 'business',
  config: z.object({
    homeserver: urlField({ label: 'Homeserver URL', help: 'e.g. https://matrix.org (the client-server API base).' }),
    access_token: field(z.string().trim().regex(/^[\w.~+/=-]{16,512}$/, 'Paste the access token of the user that posts'), {
      label: 'Access token', input: 'secret', help: 'Of the user (a bot) that posts; it must have joined the room.',
    }),
    room_id: field(z.string().trim().regex(/^![^:\s]+:\S+$/, 'A room id looks like !abc123:matrix.org (Room settings → Advanced)'), {
      label: 'Room id', input: 'text', help: 'Room settings → Advanced, e.g. !abc123:matrix.org.',
    }),
  }),
  redact: (c) => hostOf(c.homeserver),
  render(e, c, ctx) {
    const { title, summary } = describeEvent(e);
    const base = c.homeserver.replace(/\/+$/, '');
    return {
      type: 'http',
      method: 'PUT',
      url: `${base}/_matrix/client/v3/rooms/${encodeURIComponent(c.room_id)}/send/m.room.message/${encodeURIComponent(ctx.idempotencyKey)}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.access_token}`, 'idempotency-key': ctx.idempotencyKey },
      body: JSON.stringify({
        msgtype: 'm.text',
        body: `${title}\n${summary}\n${e.link}`,
        format: 'org.matrix.custom.html',
        formatted_body: `<strong>${esc(title)}</strong><br>${esc(summary)}<br><a href="${esc(e.link)}">Open the monitor</a>`,
      }),
    };
  },
});
