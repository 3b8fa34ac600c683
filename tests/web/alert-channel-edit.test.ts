import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/create-db.ts';
import { buildApp, type Client, createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { useReceiver } from '../helpers/receiver.ts';
import { joinAs, useTeamApp } from '../helpers/team.ts';

const rx = useReceiver();

/** One channel of every kind: what it is created with, its credential field and value, and a harmless change. */
// Evaluated when the tests are collected, before the receiver is up: no local URLs here.
function kinds() {
  return [
    { kind: 'email', create: { recipients: 'ops@example.com' }, field: null, secret: null, change: { recipients: 'oncall@example.com, ops@example.com' } },
    { kind: 'webhook', create: { url: 'https://hooks.example.com/in?token=webhook-secret-1' }, field: 'url', secret: 'webhook-secret-1', change: {} },
    { kind: 'slack', create: { url: 'https://hooks.slack.com/services/T0/B0/slack-secret-1' }, field: 'url', secret: 'slack-secret-1', change: {} },
    { kind: 'discord', create: { url: 'https://discord.com/api/webhooks/1/discord-secret-1' }, field: 'url', secret: 'discord-secret-1', change: {} },
    { kind: 'teams', create: { url: 'https://example.webhook.office.com/teams-secret-1' }, field: 'url', secret: 'teams-secret-1', change: {} },
    { kind: 'ntfy', create: { url: 'https://ntfy.sh/ntfy-secret-topic-1' }, field: 'url', secret: 'ntfy-secret-topic-1', change: {} },
    { kind: 'telegram', create: { bot_token: '123456:TGSECRETTGSECRETTGSECRET', chat_id: '42' }, field: 'bot_token', secret: 'TGSECRETTGSECRETTGSECRET', change: { chat_id: '-1001' } },
    { kind: 'pagerduty', create: { routing_key: 'PDSECRETPDSECRETPDSECRETPDSECRET' }, field: 'routing_key', secret: 'PDSECRETPDSECRETPDSECRETPDSECRET', change: {} },
    { kind: 'custom_webhook', create: { url: 'https://hooks.example.com/custom?token=custom-secret-1', content_type: 'application/json', template: '{"t": "{{summary}}"}' }, field: 'url', secret: 'custom-secret-1', change: { template: '{"t": "{{title}}", "m": "{{monitor.name}}"}' } },
    { kind: 'google_chat', create: { url: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=gchat-secret-1' }, field: 'url', secret: 'gchat-secret-1', change: {} },
    { kind: 'mattermost', create: { url: 'https://mm.example.com/hooks/mm-secret-1', username: 'StatusPing' }, field: 'url', secret: 'mm-secret-1', change: { username: 'Alerts' } },
    { kind: 'rocketchat', create: { url: 'https://rc.example.com/hooks/ID/rc-secret-1' }, field: 'url', secret: 'rc-secret-1', change: {} },
    { kind: 'matrix', create: { homeserver: 'https://matrix.example.org', access_token: 'syt_matrix_secret_1_abcdefgh', room_id: '!r:example.org' }, field: 'access_token', secret: 'matrix_secret_1', change: { room_id: '!other:example.org' } },
    { kind: 'gotify', create: { server: 'https://gotify.example.com', app_token: 'GotifySecret1abc' }, field: 'app_token', secret: 'GotifySecret1abc', change: {} },
    { kind: 'pushover', create: { app_token: 'PushoverAppSecret1234567890abc', user_key: 'PushoverUserKey123456789012345', priority: '1' }, field: 'app_token', secret: 'PushoverAppSecret', change: { priority: '2' } },
    { kind: 'twilio', create: { account_sid: 'AC0123456789abcdef0123456789abcdef', auth_token: 'abcdefabcdefabcdefabcdefabcdef12', from: '+14155550100', to: '+14155550123' }, field: 'auth_token', secret: 'abcdefabcdefabcdef', change: { to: '+14155550199' } },
    { kind: 'opsgenie', create: { api_key: 'opsgenie-secret-1-0a1b2c3d4e', region: 'eu', priority: 'P1' }, field: 'api_key', secret: 'opsgenie-secret-1', change: { priority: 'P3' } },
  ] as const;
}

/** Creates a channel through the form and returns its id. */
async function createChannel(client: Client, db: Db, form: Record<string, string>): Promise<number> {
  const res = await client.post('/settings/alerts', form);
  expect(res.status, await res.text()).toBe(201);
  return (await db.selectFrom('alert_channels').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
}

describe.each(testDbKinds())('editing alert channels on %s', (dbKind) => {
  const ctx = useAppPerTest(dbKind);
  const row = (id: number) => ctx.t.db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it.each(kinds())('$kind: the form is prefilled except for credentials, and a blank credential keeps the stored one', async ({ kind, create, field, secret, change }) => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind, name: `My ${kind}`, ...create });
    const before = await row(id);

    const form = await owner.get(`/settings/alerts/${id}/edit`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain(`value="My ${kind}"`);
    expect(html).toContain('data-testid="channel-kind"');
    expect(html).not.toContain('name="kind"');
    if (secret) {
      expect(html).not.toContain(secret);
      expect(html).toContain('leave blank to keep the current value');
    }
    if (kind === 'email') expect(html).toContain('value="ops@example.com"');
    if (kind === 'telegram') expect(html).toContain('name="chat_id" type="text" value="42"');
    if (kind === 'slack') expect(html).toContain('placeholder="https://hooks.slack.com/••••••••"');
    if (before.config.includes('whsec_')) expect(html).not.toContain('whsec_');

    const res = await owner.post(`/settings/alerts/${id}/edit`, { name: `Renamed ${kind}`, ...create, ...(field ? { [field]: '' } : {}), ...change });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get('location')).toBe(`/settings/alerts/${id}?saved=1`);
    const after = await row(id);
    expect(after.name).toBe(`Renamed ${kind}`);
    expect(after.kind).toBe(kind);
    expect(after.created_at).toBe(before.created_at);
    const stored = JSON.parse(after.config) as Record<string, string>;
    const was = JSON.parse(before.config) as Record<string, string>;
    expect(stored).toEqual({ ...was, ...change });
    expect(await (await owner.get(`/settings/alerts/${id}?saved=1`)).text()).toContain('Changes saved.');
  });

  it('a new credential replaces the stored one; the webhook keeps its signing secret, monitors and delivery log', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'webhook', name: 'Hook', url: `${rx.url}/old`, is_default: 'true' });
    const signing = JSON.parse((await row(id)).config).secret as string;
    const monitorId = await createMonitorVia(owner, { channels_submitted: '' });
    expect((await owner.post(`/settings/alerts/${id}/test`)).status).toBe(200);
    expect(rx.received.at(-1)!.path).toBe('/old');

    const res = await owner.post(`/settings/alerts/${id}/edit`, { name: 'Hook', url: `${rx.url}/new?token=fresh-secret`, is_default: 'true' });
    expect(res.status).toBe(303);
    const stored = JSON.parse((await row(id)).config) as Record<string, string>;
    expect(stored).toEqual({ url: `${rx.url}/new?token=fresh-secret`, secret: signing });
    expect((await row(id)).is_default).toBe(1);
    expect(await ctx.t.db.selectFrom('monitor_channels').select('channel_id').where('monitor_id', '=', monitorId).execute()).toEqual([{ channel_id: id }]);

    ctx.built.clock.advance(11_000);
    const test = await owner.post(`/settings/alerts/${id}/test`, {}, { 'hx-request': 'true' });
    expect(await test.text()).toContain('Test delivered');
    expect(rx.received.at(-1)!.path).toBe('/new?token=fresh-secret');
    const log = await (await owner.get(`/settings/alerts/${id}`)).text();
    expect(log.match(/<td class="pr-3">test<\/td>/g)).toHaveLength(2);
    expect(await (await owner.get(`/settings/alerts/${id}/edit`)).text()).not.toContain('fresh-secret');

    // Unticking "Use for new monitors" is a change like any other.
    await owner.post(`/settings/alerts/${id}/edit`, { name: 'Hook', url: '' });
    expect((await row(id)).is_default).toBe(0);
    expect(JSON.parse((await row(id)).config).url).toBe(`${rx.url}/new?token=fresh-secret`);
  });

  it('a validation error re-renders the form with field errors and what was typed, but no credential', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'telegram', name: 'TG', bot_token: '123456:TGSECRETTGSECRETTGSECRET', chat_id: '42' });
    const res = await owner.post(`/settings/alerts/${id}/edit`, { name: '', bot_token: '999:NEWTOKENNEWTOKENNEWTOKEN', chat_id: 'not a chat', is_default: 'true' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="e-name">Give the channel a name</);
    expect(html).toContain('value="not a chat"');
    expect(html).toMatch(/name="is_default" value="true" checked/);
    expect(html).not.toContain('NEWTOKEN');
    expect(html).not.toContain('TGSECRET');
    expect((await row(id)).name).toBe('TG');

    const badToken = await owner.post(`/settings/alerts/${id}/edit`, { name: 'TG', bot_token: 'nope', chat_id: '42' });
    expect(badToken.status).toBe(422);
    expect(await badToken.text()).toMatch(/id="e-bot_token">A bot token looks like/);
    expect(JSON.parse((await row(id)).config).bot_token).toBe('123456:TGSECRETTGSECRETTGSECRET');

    const email = await createChannel(owner, ctx.t.db, { kind: 'email', name: 'Mail', recipients: 'ops@example.com' });
    const bad = await owner.post(`/settings/alerts/${email}/edit`, { name: 'Mail', recipients: 'ops@example.com, broken' });
    expect(bad.status).toBe(422);
    const page = await bad.text();
    expect(page).toMatch(/id="e-recipients">One of the addresses is not valid</);
    expect(page).toContain('value="ops@example.com, broken"');
  });

  it('the type cannot change', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    const res = await owner.post(`/settings/alerts/${id}/edit`, { kind: 'slack', name: 'Hook', url: 'https://hooks.slack.com/services/x' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('The type of a channel cannot change');
    expect((await row(id)).kind).toBe('webhook');
    expect(JSON.parse((await row(id)).config).url).toBe(`${rx.url}/hook`);
  });

  it('a channel disabled by 410 Gone says so on its form and is enabled again by saving with the box ticked', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'webhook', name: 'Hook', url: `${rx.url}/gone` });
    await ctx.t.db.updateTable('alert_channels').set({ disabled_at: Date.now(), disabled_reason: 'The receiver answered 410 Gone, asking us to stop sending.' }).execute();
    expect(await (await owner.get(`/settings/alerts/${id}`)).text()).toContain(`href="/settings/alerts/${id}/edit">Edit</a> (saving can enable it again)`);
    const html = await (await owner.get(`/settings/alerts/${id}/edit`)).text();
    expect(html).toContain('This channel is disabled and sends nothing: The receiver answered 410 Gone');
    expect(html).toMatch(/name="enabled" value="true" checked> Enable it again when saving/);

    await owner.post(`/settings/alerts/${id}/edit`, { name: 'Hook renamed', url: '' });
    expect((await row(id)).disabled_at).not.toBeNull();
    await owner.post(`/settings/alerts/${id}/edit`, { name: 'Hook', url: `${rx.url}/moved`, enabled: 'true' });
    const after = await row(id);
    expect([after.disabled_at, after.disabled_reason]).toEqual([null, null]);
    expect(await (await owner.get(`/settings/alerts/${id}/edit`)).text()).not.toContain('name="enabled"');
    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'alert_channel.updated').orderBy('id').execute();
    expect(audit.map((a) => JSON.parse(a.details))).toEqual([
      { kind: 'webhook', changed: ['name'] },
      { kind: 'webhook', changed: ['name', 'url'], enabled: true },
    ]);
  });

  it('is audited as "alert_channel.updated" with the changed field names and no secret', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'pagerduty', name: 'PD', routing_key: 'PDSECRETPDSECRETPDSECRETPDSECRET' });
    await owner.post(`/settings/alerts/${id}/edit`, { name: 'PD on-call', routing_key: 'NEWKEYNEWKEYNEWKEYNEWKEYNEWKEY12' });
    const entry = await ctx.t.db.selectFrom('audit_log').selectAll().where('action', '=', 'alert_channel.updated').executeTakeFirstOrThrow();
    expect(entry.actor).toBe(owner.email);
    expect(entry.target).toBe(`channel ${id} (PD on-call)`);
    expect(JSON.parse(entry.details)).toEqual({ kind: 'pagerduty', changed: ['name', 'routing_key'] });
    expect(JSON.stringify(entry)).not.toMatch(/PDSECRET|NEWKEY/);
    expect(await (await owner.get('/settings/audit')).text()).toContain('alert_channel.updated');
  });

  it('another account’s channel is 404 and unchanged; a forged form is refused', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const id = await createChannel(owner, ctx.t.db, { kind: 'email', name: 'Mine', recipients: 'ceo@example.com' });
    expect((await outsider.get(`/settings/alerts/${id}/edit`)).status).toBe(404);
    expect((await outsider.post(`/settings/alerts/${id}/edit`, { name: 'Stolen', recipients: 'thief@example.com' })).status).toBe(404);
    expect((await owner.post(`/settings/alerts/${id}/edit`, { name: 'Forged', recipients: 'x@example.com', _csrf: 'forged' })).status).toBe(403);
    expect((await owner.post('/settings/alerts/abc/edit', { name: 'x' })).status).toBe(404);
    const r = await row(id);
    expect([r.name, JSON.parse(r.config).recipients]).toEqual(['Mine', 'ceo@example.com']);
  });

  it('plan gating as on create: a channel the plan no longer includes cannot be changed; email still can', async () => {
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const user = await persona(saas.app, 'downgraded');
    const accountId = (await ctx.t.db.selectFrom('accounts').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    await ctx.t.db.updateTable('accounts').set({ plan: 'business' }).where('id', '=', accountId).execute();
    const slack = await createChannel(user, ctx.t.db, { kind: 'slack', name: 'S', url: 'https://hooks.slack.com/services/T0/B0/x' });
    const mail = await createChannel(user, ctx.t.db, { kind: 'email', name: 'M', recipients: 'ops@example.com' });
    await ctx.t.db.updateTable('accounts').set({ plan: 'free' }).where('id', '=', accountId).execute();

    expect(await (await user.get(`/settings/alerts/${slack}/edit`)).text()).toContain('data-testid="plan-note"');
    const gated = await user.post(`/settings/alerts/${slack}/edit`, { name: 'S2', url: '' });
    expect(gated.status).toBe(402);
    expect(await gated.text()).toContain('The Free plan includes Email alerts only. Upgrade to use Slack.');
    expect((await row(slack)).name).toBe('S');
    expect((await user.post(`/settings/alerts/${mail}/edit`, { name: 'M2', recipients: 'ops@example.com' })).status).toBe(303);
    expect((await row(mail)).name).toBe('M2');
  });

  it('the channel list and page link to Edit', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'email', name: 'Mail', recipients: 'ops@example.com' });
    expect(await (await owner.get('/settings/alerts')).text()).toContain(`href="/settings/alerts/${id}/edit">Edit</a>`);
    expect(await (await owner.get(`/settings/alerts/${id}`)).text()).toContain(`href="/settings/alerts/${id}/edit">Edit</a>`);
  });
});

describe.each(testDbKinds())('editing alert channels by role on %s', (dbKind) => {
  const ctx = useTeamApp(dbKind);

  it('a viewer and a member see no Edit and are refused; the channel is unchanged', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createChannel(owner, ctx.t.db, { kind: 'email', name: 'Team mail', recipients: 'ops@example.com' });
    for (const role of ['viewer', 'member']) {
      const who = await joinAs(ctx, owner, role);
      expect(await (await who.get(`/settings/alerts/${id}`)).text()).not.toContain('/edit');
      expect(await (await who.get('/settings/alerts')).text()).not.toContain('/edit');
      expect((await who.get(`/settings/alerts/${id}/edit`)).status).toBe(403);
      const res = await who.post(`/settings/alerts/${id}/edit`, { name: 'Hijacked', recipients: 'evil@example.com' });
      expect(res.status).toBe(403);
    }
    const admin = await joinAs(ctx, owner, 'admin');
    expect((await admin.post(`/settings/alerts/${id}/edit`, { name: 'By admin', recipients: 'ops@example.com' })).status).toBe(303);
    const r = await ctx.t.db.selectFrom('alert_channels').select(['name', 'config']).where('id', '=', id).executeTakeFirstOrThrow();
    expect([r.name, JSON.parse(r.config).recipients]).toEqual(['By admin', 'ops@example.com']);
  });
});
