import { describe, expect, it } from 'vitest';
import { Client, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';

/**
 * A form error is re-rendered at the URL the form was posted to; reloading that page asks for
 * the same URL with GET, which must lead back to the page the form belongs to, not a 404.
 */
describe.each(testDbKinds())('reloading after a form error on a POST-only URL on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function expectReload(client: Client, path: string, to: string) {
    const res = await client.get(path);
    expect(res.status, path).toBe(302);
    expect(res.headers.get('location'), path).toBe(to);
  }

  it('page editor: groups, components, logo and favicon go back to their editor section', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    expect((await owner.post(`/pages/${pageId}/groups`, { name: '' })).status).toBe(422);
    await expectReload(owner, `/pages/${pageId}/groups`, `/pages/${pageId}#components`);
    expect((await owner.post(`/pages/${pageId}/components/manual`, { name: '', status: 'operational' })).status).toBe(422);
    await expectReload(owner, `/pages/${pageId}/components/manual`, `/pages/${pageId}#components`);
    await expectReload(owner, `/pages/${pageId}/components/monitor`, `/pages/${pageId}#components`);
    const fd = new FormData();
    fd.set('_csrf', owner.csrf);
    fd.set('file', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'fake.png');
    expect((await owner.raw(`/pages/${pageId}/assets/logo`, { method: 'POST', body: fd })).status).toBe(422);
    await expectReload(owner, `/pages/${pageId}/assets/logo`, `/pages/${pageId}#assets`);
    await expectReload(owner, `/pages/${pageId}/assets/favicon`, `/pages/${pageId}#assets`);
    // The editor itself still checks the account: another account's page id is a 404 there.
    const outsider = await persona(ctx.built.app, 'outsider');
    expect((await outsider.get(`/pages/${pageId}`)).status).toBe(404);
    expect((await owner.get('/pages/abc/groups')).status).toBe(404);
  });

  it('incident updates and post-mortems go back to the incident', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const created = await owner.post(`/pages/${pageId}/incidents`, { title: 'Slow', state: 'investigating', message: 'm', publish: 'now' });
    const id = Number(/\/incidents\/(\d+)$/.exec(created.headers.get('location')!)![1]);
    expect((await owner.post(`/pages/${pageId}/incidents/${id}/updates`, { state: 'bogus', message: '' })).status).toBe(422);
    await expectReload(owner, `/pages/${pageId}/incidents/${id}/updates`, `/pages/${pageId}/incidents/${id}`);
    await expectReload(owner, `/pages/${pageId}/incidents/${id}/postmortem`, `/pages/${pageId}/incidents/${id}`);
  });

  it('a private page unlock goes back to the page, which asks for the password again', async () => {
    const { owner, pageId, slug } = await ownerWithPage(ctx.built.app, ctx.t.db);
    expect((await owner.post(`/pages/${pageId}`, { title: 'Private', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' })).status).toBe(303);
    const visitor = new Client(ctx.built.app);
    expect((await visitor.raw(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=wrong' })).status).toBe(401);
    await expectReload(visitor, `/s/${slug}/unlock`, `/s/${slug}`);
    expect((await visitor.get(`/s/${slug}`)).status).toBe(401);
  });

  it('the new-monitor and settings forms go back to their pages', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect((await owner.post('/monitors', { name: '', url: '' })).status).toBe(422);
    await expectReload(owner, '/monitors', '/monitors/new');
    expect((await owner.post('/settings/account-name', { name: '' })).status).toBe(422);
    for (const form of ['account-name', 'password', 'email', 'delete-account']) await expectReload(owner, `/settings/${form}`, '/settings');
  });
});
