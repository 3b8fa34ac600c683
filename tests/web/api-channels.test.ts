import { describe, expect, it } from 'vitest';
import { persona, useAppPerTest } from '../helpers/app.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { testDbKinds } from '../helpers/env.ts';
import { useReceiver } from '../helpers/receiver.ts';
import { CHANNEL_KINDS, CHANNELS } from '../../src/domain/alerts/alerts.ts';

const rx = useReceiver();

describe.each(testDbKinds())('PATCH /api/v1/alert-channels/{id} on %s', (kind) => {
  const ctx = useAppPerTest(kind);
  const row = (id: number) => ctx.t.db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function setup() {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.post('/settings/alerts', { kind: 'webhook', name: 'Ops hook', url: `${rx.url}/hook?token=first-secret` });
    const id = (await ctx.t.db.selectFrom('alert_channels').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'rw', 'write'));
    return { owner, id, api };
  }

  it('changes only the fields sent, keeps the secrets when they are left out, and never returns them', async () => {
    const { id, api } = await setup();
    const before = JSON.parse((await row(id)).config) as Record<string, string>;
    const res = await api.patch(`/alert-channels/${id}`, { name: 'Ops hook (EU)', is_default: true });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, kind: 'webhook', name: 'Ops hook (EU)', is_default: true, disabled: false, target: '127.0.0.1' });
    expect(JSON.parse((await row(id)).config)).toEqual(before);

    const replaced = await api.patch(`/alert-channels/${id}`, { url: 'https://hooks.example.com/new?token=second-secret' });
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ name: 'Ops hook (EU)', is_default: true, target: 'hooks.example.com' });
    expect(JSON.parse((await row(id)).config)).toEqual({ url: 'https://hooks.example.com/new?token=second-secret', secret: before.secret });

    const blank = await api.patch(`/alert-channels/${id}`, { url: '' });
    expect(blank.status).toBe(200);
    expect(JSON.parse((await row(id)).config).url).toBe('https://hooks.example.com/new?token=second-secret');
    for (const body of [res.text, replaced.text, blank.text, (await api.get(`/alert-channels/${id}`)).text]) {
      for (const secret of ['first-secret', 'second-secret', before.secret!, 'whsec_']) expect(body).not.toContain(secret);
    }

    const audit = await ctx.t.db.selectFrom('audit_log').select(['action', 'actor', 'details']).where('action', '=', 'alert_channel.updated').orderBy('id').execute();
    expect(audit.map((a) => [a.actor, JSON.parse(a.details).changed])).toEqual([
      ['API key "rw"', ['name', 'is_default']],
      ['API key "rw"', ['url']],
      ['API key "rw"', []],
    ]);
    expect(JSON.stringify(audit)).not.toContain('secret');
  });

  it('validates like the form: bad values, another kind’s settings and a new kind are 422 and change nothing', async () => {
    const { id, api } = await setup();
    const bad = await api.patch(`/alert-channels/${id}`, { name: '', url: 'ftp://nope' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details).toMatchObject({ name: 'Give the channel a name', url: 'Enter a full http:// or https:// URL' });

    const foreign = await api.patch(`/alert-channels/${id}`, { recipients: 'ops@example.com' });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.details).toEqual({ recipients: 'Not a setting of a webhook channel' });

    const kindChange = await api.patch(`/alert-channels/${id}`, { kind: 'slack' });
    expect(kindChange.status).toBe(422);
    expect(kindChange.json.error.message).toContain('The type of a channel cannot change');
    expect((await api.patch(`/alert-channels/${id}`, { kind: 'webhook', name: 'Same kind' })).status).toBe(200);

    const unknown = await api.patch(`/alert-channels/${id}`, { secret: 'whsec_mine' });
    expect(unknown.status).toBe(422);
    const r = await row(id);
    expect([r.kind, r.name, JSON.parse(r.config).url]).toEqual(['webhook', 'Same kind', `${rx.url}/hook?token=first-secret`]);
  });

  it('the PATCH schema is the registry’s: every kind, every setting once, credentials write-only, the name as the service checks it', async () => {
    const doc = await (await ctx.built.app.request('/api/v1/openapi.json')).json();
    const props = doc.paths['/alert-channels/{id}'].patch.requestBody.content['application/json'].schema.properties as Record<string, { description: string; enum?: string[]; minLength?: number; maxLength?: number }>;
    expect(props.kind!.enum).toEqual([...CHANNEL_KINDS]);
    expect(props.name).toMatchObject({ minLength: 1, maxLength: 80 });
    for (const def of CHANNELS) {
      for (const f of def.fields) {
        expect(props[f.name], `${def.kind}.${f.name}`).toBeDefined();
        expect(props[f.name]!.description).toContain(def.kind);
        if (def.secrets.includes(f.name)) expect(props[f.name]!.description).toContain('write-only');
      }
    }
    expect(props.region!.enum).toEqual(['us', 'eu']);
    const listed = doc.paths['/alert-channels'].get.responses['200'].content['application/json'].schema.properties.data.items.properties.kind.enum;
    expect(listed).toEqual([...CHANNEL_KINDS]);
  });

  it('a new kind (Opsgenie) is edited like the others: its key stays hidden and kept, other kinds’ settings are refused', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    await owner.post('/settings/alerts', { kind: 'opsgenie', name: 'On-call', api_key: 'opsgenie-first-secret-0a1b2c', region: 'us', priority: 'P1' });
    const id = (await ctx.t.db.selectFrom('alert_channels').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'rw', 'write'));
    const res = await api.patch(`/alert-channels/${id}`, { region: 'eu', api_key: '' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'opsgenie', target: 'api.eu.opsgenie.com' });
    expect(res.text).not.toContain('opsgenie-first-secret');
    expect(JSON.parse((await row(id)).config)).toEqual({ api_key: 'opsgenie-first-secret-0a1b2c', region: 'eu', priority: 'P1' });
    const foreign = await api.patch(`/alert-channels/${id}`, { url: 'https://x.example' });
    expect(foreign.json.error.details).toEqual({ url: 'Not a setting of an opsgenie channel' });
    const bad = await api.patch(`/alert-channels/${id}`, { priority: 'P9' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.priority).toMatch(/^Choose one of/);
  });

  it('enabled: true re-enables a channel disabled by 410 Gone', async () => {
    const { id, api } = await setup();
    await ctx.t.db.updateTable('alert_channels').set({ disabled_at: Date.now(), disabled_reason: 'The receiver answered 410 Gone' }).execute();
    expect((await api.patch(`/alert-channels/${id}`, { name: 'Still off' })).json).toMatchObject({ disabled: true, disabled_reason: 'The receiver answered 410 Gone' });
    const res = await api.patch(`/alert-channels/${id}`, { url: `${rx.url}/moved`, enabled: true });
    expect(res.json).toMatchObject({ disabled: false, disabled_at: null, disabled_reason: null });
    expect((await api.patch(`/alert-channels/${id}`, { enabled: false })).status).toBe(422);
  });

  it('needs a write key; another account’s channel is 404', async () => {
    const { owner, id } = await setup();
    const read = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    const refused = await read.patch(`/alert-channels/${id}`, { name: 'Nope' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('insufficient_scope');

    const outsider = await persona(ctx.built.app, 'outsider');
    const theirs = apiClient(ctx.built.app, await createKeyVia(outsider, 'theirs', 'write'));
    const missing = await theirs.patch(`/alert-channels/${id}`, { name: 'Stolen' });
    expect(missing.status).toBe(404);
    expect((await theirs.patch('/alert-channels/999999', { name: 'x' })).status).toBe(404);
    expect((await row(id)).name).toBe('Ops hook');
  });
});
