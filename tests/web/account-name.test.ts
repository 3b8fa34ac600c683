import { describe, expect, it } from 'vitest';
import { persona } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { joinAs, useTeamApp } from '../helpers/team.ts';

describe.each(testDbKinds())('account (organization) name and leaving on %s', (kind) => {
  const ctx = useTeamApp(kind);
  const accountRow = (name: string) => ctx.t.db.selectFrom('accounts').select(['id', 'name', 'slug']).where('name', '=', name).executeTakeFirst();

  it('an owner renames the account in Settings: trimmed, escaped wherever it shows, audited, slug kept', async () => {
    const owner = await persona(ctx.built.app, 'acme');
    const before = (await accountRow('acme Org'))!;
    const settings = await (await owner.get('/settings')).text();
    expect(settings).toContain('action="/settings/account-name"');
    expect(settings).toContain('value="acme Org"');

    const res = await owner.post('/settings/account-name', { name: '  Acme <b>Inc</b> & Co  ' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/settings?saved=name');
    const after = await ctx.t.db.selectFrom('accounts').select(['name', 'slug']).where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ name: 'Acme <b>Inc</b> & Co', slug: before.slug });

    for (const path of ['/settings?saved=name', '/settings/members', '/dashboard']) {
      const html = await (await owner.get(path)).text();
      expect(html, path).toContain('Acme &lt;b&gt;Inc&lt;/b&gt; &amp; Co');
      expect(html, path).not.toContain('<b>Inc</b>');
    }
    expect(await (await owner.get('/settings?saved=name')).text()).toContain('Organization name saved.');

    const audit = await ctx.t.db.selectFrom('audit_log').selectAll().where('account_id', '=', before.id).where('action', '=', 'account.renamed').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details!)).toEqual({ from: 'acme Org', to: 'Acme <b>Inc</b> & Co' });
  });

  it('an empty, too long or multi-line name is a form error and changes nothing', async () => {
    const owner = await persona(ctx.built.app, 'acme');
    for (const [name, message] of [['   ', 'Enter a name'], ['x'.repeat(81), 'Keep it under 80 characters'], ['Acme\r\nBcc: x@evil.example', 'Use letters, digits and punctuation (no control or text-direction characters)']] as const) {
      const res = await owner.post('/settings/account-name', { name });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain(`<p class="field-error" id="e-name">${message}</p>`);
    }
    expect(await accountRow('acme Org')).toBeDefined();
    expect((await owner.post('/settings/account-name', { name: 'x'.repeat(80) })).status).toBe(303);
  });

  it('admins may rename; members and viewers get 403 and no form', async () => {
    const owner = await persona(ctx.built.app, 'acme');
    const admin = await joinAs(ctx, owner, 'admin');
    const member = await joinAs(ctx, owner, 'member');
    expect(await (await member.get('/settings')).text()).not.toContain('action="/settings/account-name"');
    expect((await member.post('/settings/account-name', { name: 'Hijacked' })).status).toBe(403);
    expect((await admin.post('/settings/account-name', { name: 'Renamed by admin' })).status).toBe(303);
    expect(await accountRow('Renamed by admin')).toBeDefined();
  });

  it('a sole owner is told why they cannot leave instead of a Leave button; with a second owner it is offered', async () => {
    const owner = await persona(ctx.built.app, 'acme');
    let members = await (await owner.get('/settings/members')).text();
    expect(members).toContain('data-testid="sole-owner"');
    expect(members).toContain('You are the only owner');
    expect(members).not.toContain('action="/settings/members/leave"');
    // Without JavaScript the refusal comes straight away, not after a confirmation page.
    expect((await owner.post('/settings/members/leave')).status).toBe(409);

    const second = await joinAs(ctx, owner, 'owner');
    members = await (await owner.get('/settings/members')).text();
    expect(members).not.toContain('data-testid="sole-owner"');
    expect(members).toContain('action="/settings/members/leave"');
    const ask = await second.post('/settings/members/leave');
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('Leave acme Org?');
  });
});
