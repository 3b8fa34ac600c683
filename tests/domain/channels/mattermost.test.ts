import { describe, expect, it } from 'vitest';
import { mattermost } from '../../../src/domain/alerts/channels/mattermost.ts';
import { NetGuard } from '../../../src/lib/net-guard.ts';
import { DOWN, renderCtx, useChannelRun } from '../../helpers/channels.ts';
import { testDbKinds } from '../../helpers/env.ts';
import { useReceiver } from '../../helpers/receiver.ts';

const url = 'https://chat.example.com/hooks/xxx-generatedkey-xxx';

describe('Mattermost payloads (incoming webhook)', () => {
  it('sends Markdown `text`, with username and icon_url only when set', () => {
    const plain = JSON.parse((mattermost.render(DOWN, { url }, renderCtx()) as { body: string }).body);
    expect(plain).toEqual({ text: `#### 🔴 Checkout API is down\nCheckout API is down: Unexpected status 503 (expected 200-399)\n[Open the monitor](${DOWN.link})` });
    const named = JSON.parse((mattermost.render(DOWN, { url, username: 'StatusPing', icon_url: 'https://statusping.example/icon.png' }, renderCtx()) as { body: string }).body);
    expect(named).toMatchObject({ username: 'StatusPing', icon_url: 'https://statusping.example/icon.png' });
  });
});

describe.each(testDbKinds())('Mattermost delivered to a local stand-in on %s', (dbKind) => {
  const rx = useReceiver();
  const run = useChannelRun(dbKind, rx);

  it('an outage posts twice; optional fields left blank are not stored', async () => {
    const { received, channel } = await run.outage({ kind: 'mattermost', name: 'MM', url: `${rx.url}/hooks/abc`, username: '', icon_url: '' });
    expect(received.map((r) => r.path)).toEqual(['/hooks/abc', '/hooks/abc']);
    expect(JSON.parse(received[0]!.body)).toEqual({ text: expect.stringContaining('Checkout API is down') });
    expect(channel.config).toEqual({ url: `${rx.url}/hooks/abc` });
  });

  it('the icon URL is validated and, like the webhook URL, refused when it names a private address', async () => {
    await expect(run.create({ kind: 'mattermost', name: 'MM', url: 'https://chat.example.com/hooks/x', icon_url: 'not a url' })).rejects.toThrow('Enter a full http:// or https:// URL');
    const guard = new NetGuard({ block: true });
    await expect(run.create({ kind: 'mattermost', name: 'MM', url: 'https://chat.example.com/hooks/x', icon_url: 'http://10.0.0.5/icon.png' }, guard)).rejects.toThrow(/private or reserved/);
  });
});
