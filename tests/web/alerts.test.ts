import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createMonitorVia, monitorForm, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { CHANNELS } from '../../src/domain/alerts/alerts.ts';
import { openTestDb } from '../helpers/db.ts';
import { sampleConfig } from '../helpers/channels.ts';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

describe.each(testDbKinds())('alert and maintenance pages on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('the channel form labels Type, Name, URL and "Use for new monitors"', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const html = await (await owner.get('/settings/alerts?kind=webhook')).text();
    expect(html).toContain('<label class="label" for="f-kind">Type</label>');
    expect(html).toContain('for="f-name">Name</label>');
    expect(html).toContain('for="f-url">URL</label>');
    expect(html).toMatch(/<input type="checkbox"[^>]*name="is_default"[^>]*> Use for new monitors<\/label>/);
    const fields = await (await owner.get('/settings/alerts/fields?kind=telegram', { 'hx-request': 'true' })).text();
    expect(fields).toContain('for="f-bot_token">Bot token</label>');
    expect(fields).not.toContain('for="f-url"');
  });

  it('every kind’s form is drawn from its definition: labels, hints, hidden credentials, choices', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    for (const def of CHANNELS) {
      const html = await (await owner.get(`/settings/alerts/fields?kind=${def.kind}`, { 'hx-request': 'true' })).text();
      for (const f of def.fields) {
        expect(html, `${def.kind}.${f.name}`).toContain(`<label class="label" for="f-${f.name}">${f.meta.label.replace(/&/g, '&amp;')}</label>`);
        if (f.meta.input === 'secret') expect(html).toContain(`name="${f.name}" type="password"`);
        if (f.meta.input === 'url') expect(html).toContain(`name="${f.name}" type="url"`);
        for (const [value] of f.meta.options ?? []) expect(html).toContain(`<option value="${value}"`);
      }
      expect(html.includes('hx-post="/settings/alerts/preview'), def.kind).toBe(!!def.preview);
    }
  });

  it('custom webhook: Preview fills the template with a sample alert; template errors show on the field', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.get('/settings/alerts?kind=custom_webhook');
    const form = { kind: 'custom_webhook', name: 'Mine', url: `${rx.url}/custom`, content_type: 'application/json', template: '{"name": "{{monitor.name}}", "event": "{{event}}"}' };
    const preview = await owner.post('/settings/alerts/preview?kind=custom_webhook', form, { 'hx-request': 'true' });
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toContain('data-testid="channel-preview"');
    expect(shown).toContain('{&quot;name&quot;: &quot;Checkout \\&quot;API\\&quot;&quot;, &quot;event&quot;: &quot;down&quot;}');
    const bad = await owner.post('/settings/alerts/preview?kind=custom_webhook', { ...form, template: '{"name": "{{monitor.nmae}}"}' }, { 'hx-request': 'true' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Unknown variable {{monitor.nmae}}');

    const refused = await owner.post('/settings/alerts', { ...form, template: '{"id": {{monitor.id}}}' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/id="e-template">Put each variable inside a JSON string/);
    expect((await owner.post('/settings/alerts', form)).status).toBe(201);
    const ch = await ctx.t.db.selectFrom('alert_channels').selectAll().where('kind', '=', 'custom_webhook').executeTakeFirstOrThrow();
    const test = await owner.post(`/settings/alerts/${ch.id}/test`, {}, { 'hx-request': 'true' });
    expect(await test.text()).toContain('Test delivered');
    expect(JSON.parse(rx.received.at(-1)!.body)).toEqual({ name: 'Mine', event: 'test' });
  });

  it('creates a webhook (secret shown once), attaches defaults to new monitors, tests inline, logs deliveries', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const created = await owner.post('/settings/alerts', { kind: 'webhook', name: 'Ops hook', url: `${rx.url}/hook`, is_default: 'true' });
    expect(created.status).toBe(201);
    const html = await created.text();
    expect(html).toMatch(/data-testid="webhook-secret">whsec_[A-Za-z0-9+/=]+</);
    expect(await (await owner.get('/settings/alerts')).text()).not.toContain('whsec_');
    const ch = await ctx.t.db.selectFrom('alert_channels').selectAll().executeTakeFirstOrThrow();

    const id = await createMonitorVia(owner, { channels_submitted: '' });
    const links = await ctx.t.db.selectFrom('monitor_channels').selectAll().where('monitor_id', '=', id).execute();
    expect(links.map((l) => l.channel_id)).toEqual([ch.id]);

    const test = await owner.post(`/settings/alerts/${ch.id}/test`, {}, { 'hx-request': 'true' });
    const frag = await test.text();
    expect(frag).toContain('data-testid="test-result"');
    expect(frag).toContain('Test delivered');
    expect(JSON.parse(rx.received.at(-1)!.body).type).toBe('monitor.test');
    const log = await (await owner.get(`/settings/alerts/${ch.id}`)).text();
    expect(log).toContain('data-testid="delivery-log"');
    expect(log).toMatch(/<td class="pr-3">test<\/td>/);
  });

  it('monitor form checkboxes choose its channels, and only the account’s own', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    await owner.post('/settings/alerts', { kind: 'email', name: 'Mail', recipients: 'ops@example.com' });
    await outsider.post('/settings/alerts', { kind: 'email', name: 'Theirs', recipients: 'x@example.com' });
    const [mine, theirs] = await ctx.t.db.selectFrom('alert_channels').select('id').orderBy('id').execute();
    const id = await createMonitorVia(owner, { channels_submitted: '1', [`channel_${mine!.id}`]: 'on', [`channel_${theirs!.id}`]: 'on' });
    const links = await ctx.t.db.selectFrom('monitor_channels').select('channel_id').where('monitor_id', '=', id).execute();
    expect(links.map((l) => l.channel_id)).toEqual([mine!.id]);
    const edit = await (await owner.get(`/monitors/${id}/edit`)).text();
    expect(edit).toContain(`name="channel_${mine!.id}" value="on" checked`);
    await owner.post(`/monitors/${id}/edit`, { ...monitorForm(), channels_submitted: '1' });
    expect(await ctx.t.db.selectFrom('monitor_channels').select('channel_id').where('monitor_id', '=', id).execute()).toEqual([]);
  });

  it('the dashboard warns about disabled channels and undeliverable alerts', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect(await (await owner.get('/dashboard')).text()).not.toContain('data-testid="alert-problems"');
    await owner.post('/settings/alerts', { kind: 'webhook', name: 'Gone hook', url: `${rx.url}/gone` });
    await ctx.t.db.updateTable('alert_channels').set({ disabled_at: Date.now(), disabled_reason: 'The receiver answered 410 Gone' }).execute();
    const html = await (await owner.get('/dashboard')).text();
    expect(html).toContain('Alert channel "Gone hook" is disabled: The receiver answered 410 Gone');
  });

  it('a disabled channel can be enabled again, and deleted', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.post('/settings/alerts', { kind: 'webhook', name: 'Hook', url: `${rx.url}/hook` });
    const ch = await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('alert_channels').set({ disabled_at: Date.now(), disabled_reason: 'gone' }).execute();
    expect(await (await owner.get('/settings/alerts')).text()).toContain('Disabled: gone');
    expect((await owner.post(`/settings/alerts/${ch.id}/enable`)).status).toBe(303);
    expect((await ctx.t.db.selectFrom('alert_channels').select('disabled_at').executeTakeFirstOrThrow()).disabled_at).toBeNull();
    expect((await owner.post(`/settings/alerts/${ch.id}/delete`, { _confirm: '1' })).status).toBe(303);
    expect(await ctx.t.db.selectFrom('alert_channels').select('id').execute()).toHaveLength(0);
  });

  it('another account’s channel is 404 everywhere', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    await owner.post('/settings/alerts', { kind: 'email', name: 'Secret mail', recipients: 'ceo@example.com' });
    const ch = await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow();
    expect((await outsider.get(`/settings/alerts/${ch.id}`)).status).toBe(404);
    for (const action of ['test', 'enable', 'delete']) expect((await outsider.post(`/settings/alerts/${ch.id}/${action}`)).status).toBe(404);
    expect(await (await outsider.get('/settings/alerts')).text()).not.toContain('Secret mail');
    expect(await ctx.t.db.selectFrom('alert_channels').select('id').execute()).toHaveLength(1);
  });

  it('validation and plan errors are shown in the form', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const bad = await owner.post('/settings/alerts', { kind: 'webhook', name: '', url: 'not a url' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('Give the channel a name');
    const saas = buildApp(ctx.t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const free = await persona(saas.app, 'free');
    const gated = await free.post('/settings/alerts', { kind: 'slack', name: 'S', url: 'https://hooks.slack.com/services/x' });
    expect(gated.status).toBe(402);
    expect(await gated.text()).toContain('The Free plan includes Email alerts only. Upgrade to use Slack.');
  });

  it('maintenance windows: create, show on the status page, end early', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Database' });
    const now = new Date(ctx.built.clock.now());
    const local = (d: Date) => d.toISOString().slice(0, 16);
    const res = await owner.post('/maintenance', {
      title: 'DB upgrade', type: 'once', timezone: 'UTC',
      starts_at: local(new Date(now.getTime() - 60_000)), ends_at: local(new Date(now.getTime() + 3_600_000)), [`monitor_${id}`]: 'on',
    });
    expect(res.status).toBe(303);
    const page = await (await owner.get('/maintenance')).text();
    expect(page).toContain('DB upgrade');
    expect(page).toContain('In progress');
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const status = await (await ctx.built.app.request(`/s/${slug}`)).text();
    expect(status).toContain('Under maintenance: DB upgrade');
    const json = await (await ctx.built.app.request(`/s/${slug}/api`)).json();
    expect(json.maintenance[0]).toMatchObject({ title: 'DB upgrade', active: true, monitor_ids: [id] });
    // A component down during its maintenance is not an outage on the banner.
    await ctx.t.db.updateTable('monitors').set({ status: 'down' }).where('id', '=', id).execute();
    ctx.built.clock.advance(11_000);
    expect((await (await ctx.built.app.request(`/s/${slug}/api`)).json()).status).toBe('operational');
    const w = await ctx.t.db.selectFrom('maintenance_windows').select('id').executeTakeFirstOrThrow();
    await owner.post(`/maintenance/${w.id}/end`);
    expect(await (await owner.get('/maintenance')).text()).toContain('Ended');
  });

  it('maintenance windows can be deleted, only by their account', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const id = await createMonitorVia(owner);
    await owner.post('/maintenance', { title: 'Weekly', type: 'recurring', timezone: 'UTC', cron: '0 3 * * SUN', duration_minutes: '60', [`monitor_${id}`]: 'on' });
    const w = await ctx.t.db.selectFrom('maintenance_windows').select('id').executeTakeFirstOrThrow();
    expect((await outsider.post(`/maintenance/${w.id}/delete`)).status).toBe(404);
    expect((await outsider.post(`/maintenance/${w.id}/end`)).status).toBe(404);
    expect((await owner.post(`/maintenance/${w.id}/delete`, { _confirm: '1' })).status).toBe(303);
    expect(await ctx.t.db.selectFrom('maintenance_windows').select('id').execute()).toHaveLength(0);
  });

  it('a one-off window with an unknown time zone is a form error, not a crash', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const res = await owner.post('/maintenance', { title: 'x', type: 'once', timezone: 'Nowhere/Zone', starts_at: '2030-01-01T10:00', ends_at: '2030-01-01T11:00', [`monitor_${id}`]: 'on' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Unknown time zone');
    expect(html).toContain('value="2030-01-01T10:00"');
  });

  it('email recipients errors land on the Recipients field', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/settings/alerts', { kind: 'email', name: 'Mail', recipients: 'not-an-email, also bad' });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="e-recipients">One of the addresses is not valid</);
  });

  it('maintenance form errors name the field', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await createMonitorVia(owner);
    const res = await owner.post('/maintenance', { title: 'x', type: 'recurring', timezone: 'Mars/Olympus', cron: 'every day' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Unknown time zone');
    expect(html).toContain('Not a valid cron expression');
    expect(html).toContain('Enter how long each window lasts');
  });
});

describe('every URL a user types for a channel passes the network guard when saved', () => {
  it.each(CHANNELS.filter((d) => d.urlFields.length).map((d) => [d.kind, d] as const))('%s', async (_kind, def) => {
    const t = await openTestDb('sqlite');
    try {
      const { app } = buildApp(t.db, { BLOCK_PRIVATE_TARGETS: '1' });
      const owner = await persona(app, 'owner');
      await owner.get('/settings/alerts');
      for (const field of def.urlFields) {
        const form = { kind: def.kind, name: 'Internal', ...sampleConfig(def.kind, 'https://public.example'), [field]: 'http://10.1.2.3/hook' };
        const res = await owner.post('/settings/alerts', form);
        expect(res.status, field).toBe(422);
        expect(await res.text()).toMatch(new RegExp(`id="e-${field}">10\\.1\\.2\\.3 is a private or reserved address`));
      }
      expect(await t.db.selectFrom('alert_channels').select('id').execute()).toHaveLength(0);
    } finally {
      await t.close();
    }
  });
});
