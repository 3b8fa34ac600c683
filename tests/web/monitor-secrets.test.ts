import { describe, expect, it } from 'vitest';
import { httpTarget, type HttpSettings } from '../../src/domain/checks/probes/http-settings.ts';
import { getMonitor } from '../../src/domain/monitors/monitors.service.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { type Client, createMonitorVia, monitorForm, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

const PASS = 'hunter2-PASS-secret';
const TOKEN = 'tok-BEARER-secret-0123456789';
const API_KEY = 'key-HEADER-secret-1';
const COOKIE = 'session=COOKIE-secret-2';
const HEADERS = `X-Api-Key: ${API_KEY}\nAccept: application/json\nCookie: ${COOKIE}`;
const SECRETS = [PASS, TOKEN, API_KEY, COOKIE];

/** The form fields the edit page shows, as a browser would submit them back. */
function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) {
    // An unticked checkbox sends nothing (its hidden "false" before it stands).
    if (m[1] === '_csrf' || (m[0].includes('type="checkbox"') && !/\schecked/.test(m[0]))) continue;
    out[m[1]!] = m[2]!.replace(/&#?\w+;/g, (e) => ({ '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' })[e] ?? e);
  }
  const area = /<textarea[^>]*name="headers"[^>]*>([^<]*)<\/textarea>/.exec(html);
  if (area) out.headers = area[1]!;
  const auth = /<select[^>]*name="auth_type"[\s\S]*?<option value="(\w+)" selected/.exec(html);
  if (auth) out.auth_type = auth[1]!;
  return out;
}

describe.each(testDbKinds())('monitor credentials are write-only on %s', (kind) => {
  const ctx = useAppPerTest(kind);
  const deps = () => ({ db: ctx.t.db, clock: ctx.built.clock, policy: ctx.built.deps.policy });
  const stored = async (id: number, accountId: number) => (await getMonitor(deps(), accountId, id)).settings;
  const accountOf = async (id: number) => (await ctx.t.db.selectFrom('monitors').select('account_id').where('id', '=', id).executeTakeFirstOrThrow()).account_id;

  async function basicMonitor(owner: Client) {
    return createMonitorVia(owner, { auth_type: 'basic', auth_user: 'bob', auth_pass: PASS, headers: HEADERS });
  }

  it('the edit page shows no stored password or secret header value, and says they are saved', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await basicMonitor(owner);
    const html = await (await owner.get(`/monitors/${id}/edit`)).text();
    for (const s of SECRETS) expect(html).not.toContain(s);
    expect(html).toContain('name="auth_pass" type="password" value=""');
    expect(html).toContain('placeholder="saved — leave empty to keep"');
    expect(html).toMatch(/<textarea[^>]*name="headers"[^>]*>X-Api-Key:\nAccept: application\/json\nCookie:<\/textarea>/);
    expect(html).toContain('data-testid="saved-headers"');
    expect(html).toContain('value="bob"');
    // Nor the monitor's own page.
    const show = await (await owner.get(`/monitors/${id}`)).text();
    for (const s of SECRETS) expect(show).not.toContain(s);
  });

  it('saving the form as shown keeps the stored password and header values; the probe still sends them', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await basicMonitor(owner);
    const fields = formFields(await (await owner.get(`/monitors/${id}/edit`)).text());
    expect(fields.auth_pass).toBe('');
    const res = await owner.post(`/monitors/${id}/edit`, { ...fields, name: 'Renamed' });
    expect(res.status, await res.clone().text()).toBe(303);
    const m = await getMonitor(deps(), await accountOf(id), id);
    expect(m.name).toBe('Renamed');
    expect(m.settings.auth_pass).toBe(PASS);
    const target = httpTarget(m.settings as HttpSettings, m.timeoutMs);
    expect(target.headers!.authorization).toBe(`Basic ${Buffer.from(`bob:${PASS}`).toString('base64')}`);
    expect(target.headers!['x-api-key']).toBe(API_KEY);
    expect(target.headers!.cookie).toBe(COOKIE);
    expect(target.headers!.accept).toBe('application/json');
  });

  it('a new value replaces the stored one; a deleted header line or Authentication None removes it', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await basicMonitor(owner);
    const accountId = await accountOf(id);
    const fields = formFields(await (await owner.get(`/monitors/${id}/edit`)).text());
    expect((await owner.post(`/monitors/${id}/edit`, { ...fields, auth_pass: 'new-password', headers: 'X-Api-Key: new-key' })).status).toBe(303);
    expect(await stored(id, accountId)).toMatchObject({ auth_pass: 'new-password', headers: 'X-Api-Key: new-key' });

    expect((await owner.post(`/monitors/${id}/edit`, { ...fields, auth_type: 'bearer', auth_token: TOKEN, headers: '' })).status).toBe(303);
    const bearer = await stored(id, accountId);
    expect(bearer.auth_token).toBe(TOKEN);
    expect(bearer.auth_pass).toBe('');
    expect(bearer.headers).toBe('');
    const html = await (await owner.get(`/monitors/${id}/edit`)).text();
    expect(html).not.toContain(TOKEN);
    expect(html).toContain('name="auth_token" type="password" value=""');

    expect((await owner.post(`/monitors/${id}/edit`, { ...formFields(html), auth_type: 'none' })).status).toBe(303);
    expect((await stored(id, accountId)).auth_token).toBe('');
  });

  it('a form error comes back with what was typed, but no credential, old or new', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { auth_type: 'bearer', auth_token: TOKEN, headers: HEADERS });
    const fields = formFields(await (await owner.get(`/monitors/${id}/edit`)).text());
    const res = await owner.post(`/monitors/${id}/edit`, { ...fields, auth_token: 'typed-NEW-token-secret', headers: 'X-Api-Key: typed-NEW-key', interval_seconds: '0' });
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const s of [...SECRETS, 'typed-NEW-token-secret', 'typed-NEW-key']) expect(html).not.toContain(s);
    expect(html).toContain('placeholder="saved — leave empty to keep"');
    expect((await stored(id, await accountOf(id))).auth_token).toBe(TOKEN);
  });

  it('the API never returns them, and an update that leaves them out or blank keeps them', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await basicMonitor(owner);
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'rw', 'write'));
    const got = await api.get(`/monitors/${id}`);
    expect(got.status).toBe(200);
    // Every setting, typed, except the credentials.
    expect(got.json.settings).toMatchObject({ auth_type: 'basic', auth_user: 'bob', headers: 'X-Api-Key:\nAccept: application/json\nCookie:', follow_redirects: true, max_redirects: 10 });
    expect(got.json.settings).not.toHaveProperty('auth_pass');
    expect(got.json.settings).not.toHaveProperty('auth_token');
    const list = await api.get('/monitors');
    for (const s of SECRETS) {
      expect(got.text).not.toContain(s);
      expect(list.text).not.toContain(s);
    }
    // Sending back what GET returned, a blank password, or nothing about them keeps them.
    for (const body of [{ name: 'A' }, { auth_pass: '' }, { headers: got.json.settings.headers }, { ...got.json.settings, name: 'B' }]) {
      const res = await api.patch(`/monitors/${id}`, body);
      expect(res.status, res.text).toBe(200);
      for (const s of SECRETS) expect(res.text).not.toContain(s);
      expect(await stored(id, await accountOf(id))).toMatchObject({ auth_pass: PASS, headers: HEADERS });
    }
  });

  it('audit entries name the changed credential, never its value', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await basicMonitor(owner);
    const fields = formFields(await (await owner.get(`/monitors/${id}/edit`)).text());
    await owner.post(`/monitors/${id}/edit`, { ...fields, auth_pass: 'another-PASS-secret' });
    const rows = await ctx.t.db.selectFrom('audit_log').select(['action', 'target', 'details']).execute();
    const updated = rows.find((r) => r.action === 'monitor.updated')!;
    expect(JSON.parse(updated.details!).changed).toEqual(['settings.auth_pass']);
    for (const s of [...SECRETS, 'another-PASS-secret']) expect(JSON.stringify(rows)).not.toContain(s);
  });

  it('alert channel secrets stay out of the API and the edit form too', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect((await owner.post('/settings/alerts', { kind: 'telegram', name: 'TG', bot_token: '123456:TGSECRETTGSECRETTGSECRET', chat_id: '42' })).status).toBe(201);
    const id = (await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow()).id;
    const api = apiClient(ctx.built.app, await createKeyVia(owner, 'ro', 'read'));
    for (const res of [await api.get(`/alert-channels/${id}`), await api.get('/alert-channels')]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('TGSECRET');
    }
    expect(await (await owner.get(`/settings/alerts/${id}/edit`)).text()).not.toContain('TGSECRET');
    expect(await (await owner.get(`/settings/alerts/${id}`)).text()).not.toContain('TGSECRET');
  });

  it('a new monitor form with an error does not echo the password typed', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const res = await owner.post('/monitors', monitorForm({ auth_type: 'basic', auth_user: 'bob', auth_pass: PASS, interval_seconds: '0' }));
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain(PASS);
  });
});
