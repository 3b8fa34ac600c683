import { describe, expect, it } from 'vitest';
import { NAME_CHARACTERS_MESSAGE, NUL_MESSAGE } from '../../src/lib/validate.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { Client, monitorForm, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';

/** Characters refused in names and titles, each inside an otherwise good name. */
const REFUSED: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['line feed', '\n'],
  ['C1 CSI', '\u009b'],
  ['LRE', '\u202a'],
  ['RLO', '\u202e'],
  ['LRI', '\u2066'],
  ['PDI', '\u2069'],
  ['LRM', '\u200e'],
  ['RLM', '\u200f'],
  ['ALM', '\u061c'],
];

const BASE_SETTINGS = { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto' };

describe.each(testDbKinds())('names and titles refuse control and text-direction characters on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function setup() {
    const { owner, monitorId, pageId, componentId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const api = apiClient(ctx.built.app, await createKeyVia(owner));
    expect((await owner.post('/settings/alerts', { kind: 'email', name: 'Mail', recipients: 'ops@example.com' })).status).toBe(201);
    const channelId = (await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow()).id;
    return { owner, api, monitorId, pageId, componentId, channelId };
  }

  /** Every form that takes a name or title: [what, field, submit]. */
  function forms(s: Awaited<ReturnType<typeof setup>>): Array<[string, string, (bad: string) => Promise<Response>]> {
    const { owner, monitorId, pageId, channelId } = s;
    const later = new Date(ctx.built.clock.now() + 3_600_000).toISOString().slice(0, 16);
    const end = new Date(ctx.built.clock.now() + 7_200_000).toISOString().slice(0, 16);
    return [
      ['sign-up organization', 'organization', (bad) => new Client(ctx.built.app).post('/signup', { email: `new-${Math.random()}@example.com`, password: 'longenough', organization: bad })],
      ['account rename', 'name', (bad) => owner.post('/settings/account-name', { name: bad })],
      ['new monitor', 'name', (bad) => owner.post('/monitors', monitorForm({ name: bad }))],
      ['monitor edit', 'name', (bad) => owner.post(`/monitors/${monitorId}/edit`, monitorForm({ name: bad }))],
      ['new alert channel', 'name', (bad) => owner.post('/settings/alerts', { kind: 'email', name: bad, recipients: 'ops@example.com' })],
      ['alert channel edit', 'name', (bad) => owner.post(`/settings/alerts/${channelId}/edit`, { name: bad, recipients: 'ops@example.com' })],
      ['new status page', 'title', (bad) => owner.post('/pages', { title: bad, slug: 'fresh-page' })],
      ['new status page slug', 'slug', (bad) => owner.post('/pages', { title: 'Fresh', slug: `fresh${bad}page` })],
      ['status page settings', 'title', (bad) => owner.post(`/pages/${pageId}`, { ...BASE_SETTINGS, title: bad })],
      ['footer link label', 'link_label_1', (bad) => owner.post(`/pages/${pageId}`, { ...BASE_SETTINGS, link_label_1: bad, link_url_1: 'https://example.com/' })],
      ['component group', 'name', (bad) => owner.post(`/pages/${pageId}/groups`, { name: bad })],
      ['manual component', 'name', (bad) => owner.post(`/pages/${pageId}/components/manual`, { name: bad, status: 'operational' })],
      ['incident post', 'title', (bad) => owner.post(`/pages/${pageId}/incidents`, { title: bad, state: 'investigating', message: 'Looking.', publish: 'draft' })],
      ['incident template name', 'name', (bad) => owner.post('/incident-templates', { name: bad, state: 'investigating', body: 'b' })],
      ['incident template title', 'title', (bad) => owner.post('/incident-templates', { name: 'T', title: bad, state: 'investigating', body: 'b' })],
      ['maintenance window', 'title', (bad) => owner.post('/maintenance', { title: bad, type: 'once', timezone: 'UTC', starts_at: later, ends_at: end, [`monitor_${monitorId}`]: 'on' })],
      ['API key', 'name', (bad) => owner.post('/settings/api-keys', { name: bad, scope: 'read' })],
    ];
  }

  /** Every API operation that takes a name or title: [what, field, call]. */
  function apiCalls(s: Awaited<ReturnType<typeof setup>>): Array<[string, string, (bad: string) => ReturnType<ReturnType<typeof apiClient>['post']>]> {
    const { api, monitorId, pageId, componentId, channelId } = s;
    const starts = new Date(ctx.built.clock.now() + 3_600_000).toISOString();
    const ends = new Date(ctx.built.clock.now() + 7_200_000).toISOString();
    return [
      ['POST monitor', 'name', (bad) => api.post('/monitors', { name: bad, url: 'https://example.com/', interval_seconds: 60 })],
      ['PATCH monitor', 'name', (bad) => api.patch(`/monitors/${monitorId}`, { name: bad })],
      ['PATCH alert channel', 'name', (bad) => api.patch(`/alert-channels/${channelId}`, { name: bad })],
      ['POST component', 'name', (bad) => api.post(`/pages/${pageId}/components`, { name: bad })],
      ['PATCH component', 'name', (bad) => api.patch(`/pages/${pageId}/components/${componentId}`, { name: bad })],
      ['POST incident post', 'title', (bad) => api.post(`/pages/${pageId}/incidents`, { title: bad, message: 'Looking.' })],
      ['POST maintenance post', 'title', (bad) => api.post(`/pages/${pageId}/maintenance`, { title: bad, message: 'Upgrade.', starts_at: starts, ends_at: ends, components: [componentId] })],
      ['POST maintenance window', 'title', (bad) => api.post('/maintenance-windows', { title: bad, type: 'once', starts_at: starts, ends_at: ends, monitor_ids: [monitorId] })],
    ];
  }

  /** Names and titles as stored, to show nothing refused got in. */
  async function storedNames(): Promise<string[]> {
    const db = ctx.t.db;
    const lists = await Promise.all([
      db.selectFrom('accounts').select('name as v').execute(),
      db.selectFrom('monitors').select('name as v').execute(),
      db.selectFrom('alert_channels').select('name as v').execute(),
      db.selectFrom('status_pages').select('title as v').execute(),
      db.selectFrom('status_pages').select('slug as v').execute(),
      db.selectFrom('status_pages').select('footer_links as v').execute(),
      db.selectFrom('page_groups').select('name as v').execute(),
      db.selectFrom('page_components').select('name as v').execute(),
      db.selectFrom('page_incidents').select('title as v').execute(),
      db.selectFrom('incident_templates').select(['name as v']).execute(),
      db.selectFrom('incident_templates').select(['title as v']).execute(),
      db.selectFrom('maintenance_windows').select('title as v').execute(),
      db.selectFrom('api_keys').select('name as v').execute(),
    ]);
    return lists.flat().map((r) => String(r.v ?? ''));
  }

  it.each(REFUSED)('%s: every form answers 422 with the field named, and changes nothing', async (_name, ch) => {
    const s = await setup();
    for (const [what, field, submit] of forms(s)) {
      const res = await submit(`Acme${ch}Ops`);
      expect(res.status, what).toBe(422);
      const html = await res.text();
      // NUL is refused for any field before the route runs; the rest by the field's own rule, on the form.
      if (ch === '\u0000') expect(html, what).toContain(`${field}: ${NUL_MESSAGE}`);
      else {
        // The form comes back with the message under the field (some sections give no id to their errors).
        expect(html, what).toMatch(new RegExp(`class="field-error"[^>]*>(${NAME_CHARACTERS_MESSAGE.replace(/[()]/g, '\\$&')}|Lowercase letters[^<]*)</p>`));
        expect(html, what).toContain(`name="${field}"`);
      }
      // The form keeps the rest of what was typed.
      if (ch !== '\u0000' && what === 'new monitor') expect(html).toContain('value="https://example.com/health"');
    }
    for (const v of await storedNames()) expect(v.includes(ch), v).toBe(false);
  });

  it.each(REFUSED)('%s: every API operation answers 422 with the field named, as the forms do', async (_name, ch) => {
    const s = await setup();
    for (const [what, field, call] of apiCalls(s)) {
      const res = await call(`Acme${ch}Ops`);
      expect(res.status, `${what}: ${res.text}`).toBe(422);
      expect(res.json.error.code, what).toBe('validation_failed');
      expect(res.json.error.details[field], what).toBe(ch === '\u0000' ? NUL_MESSAGE : NAME_CHARACTERS_MESSAGE);
    }
    for (const v of await storedNames()) expect(v.includes(ch), v).toBe(false);
  });

  it('NUL is refused in any API field, not only names, before PostgreSQL could fail on it', async () => {
    const { api, monitorId } = await setup();
    const res = await api.patch(`/monitors/${monitorId}`, { keyword: 'ok\u0000' });
    expect(res.status).toBe(422);
    expect(res.json.error.details).toEqual({ keyword: NUL_MESSAGE });
  });

  it('names with accents, emoji and right-to-left letters are still fine', async () => {
    const { owner, api, monitorId } = await setup();
    for (const name of ['Café ☕ API', 'واجهة البرمجة', 'API — prod (EU)']) {
      expect((await api.patch(`/monitors/${monitorId}`, { name })).status).toBe(200);
      expect((await owner.post(`/monitors/${monitorId}/edit`, monitorForm({ name }))).status).toBe(303);
    }
  });
});
