import { describe, expect, it } from 'vitest';
import { matrix } from '../../../src/domain/alerts/channels/matrix.ts';
import { DOWN, renderCtx, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const config = { homeserver: 'https://matrix.example.org/', access_token: 'syt_Ym90_abcdefghijklmnop_0ABCDE', room_id: '!OGEhHVWSdvArJzumhm:matrix.org' };

describe('Matrix payloads (client-server API)', () => {
  it('PUTs an m.room.message to the room with the idempotency key as transaction id, HTML and plain text', () => {
    const msg = matrix.render(DOWN, config, renderCtx('https://x', 'incident-7:channel-3:down')) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(msg.method).toBe('PUT');
    expect(msg.url).toBe('https://matrix.example.org/_matrix/client/v3/rooms/!OGEhHVWSdvArJzumhm%3Amatrix.org/send/m.room.message/incident-7%3Achannel-3%3Adown');
    expect(msg.headers.authorization).toBe(`Bearer ${config.access_token}`);
    expect(JSON.parse(msg.body)).toEqual({
      msgtype: 'm.text',
      body: `🔴 Checkout API is down\nCheckout API is down: Unexpected status 503 (expected 200-399)\n${DOWN.link}`,
      format: 'org.matrix.custom.html',
      formatted_body: `<strong>🔴 Checkout API is down</strong><br>Checkout API is down: Unexpected status 503 (expected 200-399)<br><a href="${DOWN.link}">Open the monitor</a>`,
    });
  });

  it('escapes HTML in formatted_body', () => {
    const msg = matrix.render({ ...DOWN, monitor: { ...DOWN.monitor, name: '<img src=x onerror=alert(1)>' } }, config, renderCtx()) as { body: string };
    const body = JSON.parse(msg.body);
    expect(body.formatted_body).not.toContain('<img');
    expect(body.formatted_body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe.each(testDbKinds())('Matrix delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage sends two events with distinct transaction ids; a retry reuses its id, so the homeserver drops the copy', async () => {
    rx.respond = (_req, n) => (n === 1 ? { status: 502 } : { status: 200, body: '{"event_id":"$e"}' });
    const { received } = await run.outage({ kind: 'matrix', name: 'Room', ...config, homeserver: rx.url });
    expect(received.every((r) => r.method === 'PUT' && r.headers.authorization === `Bearer ${config.access_token}`)).toBe(true);
    const txn = received.map((r) => decodeURIComponent(r.path.split('/').at(-1)!));
    expect(received[0]!.path).toMatch(/^\/_matrix\/client\/v3\/rooms\/!OGEhHVWSdvArJzumhm%3Amatrix\.org\/send\/m\.room\.message\//);
    expect(txn).toHaveLength(3);
    expect(txn[0]).toBe(txn[1]); // the retry of the down
    expect(txn[2]).not.toBe(txn[1]);
    expect(txn[2]).toMatch(/:up$/);
  });

  it('a room alias or a missing token is refused when saved', async () => {
    await expect(run.create({ kind: 'matrix', name: 'Room', ...config, room_id: '#ops:matrix.org' })).rejects.toThrow('A room id looks like !abc123:matrix.org');
    await expect(run.create({ kind: 'matrix', name: 'Room', ...config, access_token: '' })).rejects.toThrow('Paste the access token');
  });
});
