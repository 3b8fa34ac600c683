import { describe, expect, it } from 'vitest';
import { type Client, createMonitorVia, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';

/** The hidden fields and action of the confirmation page's form, as a browser without JavaScript would send them. */
function confirmForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html.slice(html.indexOf('data-testid="confirm"')))!;
  const fields: Record<string, string> = {};
  for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  return { action: form[1]!, fields };
}

/** Posts the confirmation page's form as it is (its own CSRF token included). */
async function submitConfirm(client: Client, html: string): Promise<Response> {
  const { action, fields } = confirmForm(html);
  return client.post(action, fields);
}

describe.each(testDbKinds())('destructive actions ask first without JavaScript on %s', (kind) => {
  const ctx = useAppPerTest(kind);
  const monitorExists = async (id: number) => !!(await ctx.t.db.selectFrom('monitors').select('id').where('id', '=', id).executeTakeFirst());

  it('deleting a monitor without the confirmation field shows a page, deletes nothing, and its form deletes', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Shop <b>API</b>' });
    // A plain form post from the dashboard row, as a browser without JavaScript sends it.
    const ask = await owner.post(`/monitors/${id}/delete`, { from: 'row' });
    expect(ask.status).toBe(200);
    const page = await ask.text();
    expect(page).toContain('data-testid="confirm"');
    expect(page).toContain('Delete monitor &quot;Shop &lt;b&gt;API&lt;/b&gt;&quot;?');
    expect(page).toContain('This removes its history');
    expect(page).toContain('<a class="btn" href="/dashboard">Cancel</a>');
    expect(await monitorExists(id)).toBe(true);

    const { action, fields } = confirmForm(page);
    expect(action).toBe(`/monitors/${id}/delete`);
    expect(fields).toMatchObject({ _confirm: '1', from: 'row' });
    expect(fields._csrf).toBeTruthy();
    const done = await submitConfirm(owner, page);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/dashboard');
    expect(await monitorExists(id)).toBe(false);
  });

  it('with JavaScript the same forms send the field (hx-vals) next to hx-confirm, and delete at once', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner);
    const dashboard = await (await owner.get('/dashboard')).text();
    expect(dashboard).toMatch(new RegExp(`hx-post="/monitors/${id}/delete"[^>]*hx-vals='\\{"_confirm":"1"\\}' hx-confirm=`));
    const show = await (await owner.get(`/monitors/${id}`)).text();
    expect(show).toContain(`hx-post="/monitors/${id}/delete" hx-vals='{"_confirm":"1"}' hx-confirm=`);
    const res = await owner.post(`/monitors/${id}/delete`, { from: 'row', _confirm: '1' }, { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    expect(await monitorExists(id)).toBe(false);
  });

  it('every hx-confirm form in the app also sends the confirmation field', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const pages = ['/dashboard', `/pages/${pageId}`, '/settings/members', '/settings/api-keys', '/maintenance', '/settings/alerts', `/pages/${pageId}/subscribers`];
    for (const path of pages) {
      const html = await (await owner.get(path)).text();
      for (const tag of html.match(/<form [^>]*hx-confirm=[^>]*>/g) ?? []) expect(tag, path).toContain(`hx-vals='{"_confirm":"1"}'`);
    }
  });

  it('discarding a draft asks first; the draft stays until confirmed; a published post is refused outright', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const created = await owner.post(`/pages/${pageId}/incidents`, { title: 'Draft <i>one</i>', state: 'investigating', message: 'm' });
    const draft = Number(/\/incidents\/(\d+)$/.exec(created.headers.get('location')!)![1]);
    const show = await (await owner.get(`/pages/${pageId}/incidents/${draft}`)).text();
    expect(show).toContain(`hx-post="/pages/${pageId}/incidents/${draft}/discard" hx-vals='{"_confirm":"1"}' hx-confirm=`);

    const ask = await owner.post(`/pages/${pageId}/incidents/${draft}/discard`);
    expect(ask.status).toBe(200);
    const page = await ask.text();
    expect(page).toContain('Discard the draft &quot;Draft &lt;i&gt;one&lt;/i&gt;&quot;?');
    expect(page).toContain(`href="/pages/${pageId}/incidents/${draft}">Cancel</a>`);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('id', '=', draft).execute()).toHaveLength(1);
    expect((await submitConfirm(owner, page)).status).toBe(303);
    expect(await ctx.t.db.selectFrom('page_incidents').select('id').where('id', '=', draft).execute()).toHaveLength(0);

    const published = await owner.post(`/pages/${pageId}/incidents`, { title: 'Live', state: 'investigating', message: 'm', publish: 'now' });
    const live = Number(/\/incidents\/(\d+)$/.exec(published.headers.get('location')!)![1]);
    expect((await owner.post(`/pages/${pageId}/incidents/${live}/discard`)).status).toBe(409);
  });

  it('maintenance windows, alert channels, API keys, members and page components ask first too', async () => {
    const { owner, pageId, componentId, monitorId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    expect((await owner.post('/maintenance', { title: 'Nightly', type: 'recurring', timezone: 'UTC', cron: '0 3 * * SUN', duration_minutes: '30', [`monitor_${monitorId}`]: 'on' })).status).toBe(303);
    const w = await ctx.t.db.selectFrom('maintenance_windows').select('id').executeTakeFirstOrThrow();
    const ch = await owner.post('/settings/alerts', { kind: 'email', name: 'Ops', recipients: 'ops@example.com' });
    const channelId = Number(/\/settings\/alerts\/(\d+)"/.exec(await ch.text())![1]);
    expect((await owner.post('/settings/api-keys', { name: 'CI', scope: 'read' })).status).toBe(201);
    const key = await ctx.t.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow();

    const cases: Array<[string, string, () => Promise<boolean>]> = [
      [`/maintenance/${w.id}/delete`, 'Delete the maintenance window &quot;Nightly&quot;?', async () => !!(await ctx.t.db.selectFrom('maintenance_windows').select('id').where('id', '=', w.id).executeTakeFirst())],
      [`/settings/alerts/${channelId}/delete`, 'Delete the alert channel &quot;Ops&quot;?', async () => !!(await ctx.t.db.selectFrom('alert_channels').select('id').where('id', '=', channelId).executeTakeFirst())],
      [`/settings/api-keys/${key.id}/revoke`, 'Revoke the API key &quot;CI&quot;?', async () => (await ctx.t.db.selectFrom('api_keys').select('revoked_at').where('id', '=', key.id).executeTakeFirstOrThrow()).revoked_at === null],
      [`/pages/${pageId}/components/${componentId}/delete`, 'Remove &quot;owner API&quot; from this page?', async () => !!(await ctx.t.db.selectFrom('page_components').select('id').where('id', '=', componentId).executeTakeFirst())],
    ];
    for (const [path, title, stillThere] of cases) {
      const ask = await owner.post(path);
      expect(ask.status, path).toBe(200);
      const page = await ask.text();
      expect(page, path).toContain(title);
      expect(await stillThere(), path).toBe(true);
      expect((await submitConfirm(owner, page)).status, path).toBe(303);
      expect(await stillThere(), path).toBe(false);
    }
  });

  it("another account's ids answer 404 before any question, and nothing changes", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const outsider = await persona(ctx.built.app, 'outsider');
    const id = await createMonitorVia(owner);
    const res = await outsider.post(`/monitors/${id}/delete`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('data-testid="confirm"');
    expect(await monitorExists(id)).toBe(true);
  });
});
