import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../src/lib/clock.ts';
import { Client, createMonitorVia, persona } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { inviteVia, joinAs, type TeamCtx, uniqueEmail, useTeamApp } from '../helpers/team.ts';

const tokenOf = (link: string) => link.split('/').pop()!;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function accountIdOf(ctx: TeamCtx, email: string): Promise<number> {
  const r = await ctx.t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.account_id')
    .where('users.email', '=', email)
    .orderBy('memberships.created_at')
    .executeTakeFirstOrThrow();
  return r.account_id;
}

describe.each(testDbKinds())('invitations with sign-up closed on %s', (kind) => {
  const ctx = useTeamApp(kind, { ALLOW_SIGNUP: '0' });

  it('a visitor accepts by choosing a password: user, membership and session are created', async () => {
    const owner = await persona(ctx.built.app, 'owner'); // the first user may sign up
    expect((await new Client(ctx.built.app).post('/signup', { email: 'x@example.com', password: 'long enough', organization: 'X' })).status).toBe(403);

    const email = uniqueEmail('newbie');
    const link = await inviteVia(ctx, owner, email, 'member');
    const mail = ctx.smtp.mails.at(-1)!;
    expect(mail.text).toContain('owner Org');
    expect(mail.text).toContain(`http://statusping.test${link}`);
    // Only the token's hash is stored.
    const row = await ctx.t.db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(sha256(tokenOf(link)));
    expect(JSON.stringify(row)).not.toContain(tokenOf(link));

    const visitor = new Client(ctx.built.app);
    const page = await visitor.get(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Join owner Org');
    expect(html).toContain('>member</strong>');
    expect(html).toContain(`value="${email}" readonly`);

    const short = await visitor.post(link, { password: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('Use at least 8 characters');

    const res = await visitor.post(link, { password: 'correct horse battery', email: 'someone-else@example.com' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const dash = await visitor.get('/dashboard');
    expect(dash.status).toBe(200);
    expect(await dash.text()).toMatch(new RegExp(`data-testid="org-name">owner Org</span><span>·</span><span class="truncate" title="${email}">${email}</span>`));
    const user = await ctx.t.db.selectFrom('users').select(['id', 'email', 'is_admin', 'email_verified_at']).where('email', '=', email).executeTakeFirstOrThrow();
    expect(user.is_admin).toBe(0);
    expect(user.email_verified_at).not.toBeNull();
    expect(await ctx.t.db.selectFrom('users').select('id').where('email', '=', 'someone-else@example.com').executeTakeFirst()).toBeUndefined();
    const ms = await ctx.t.db.selectFrom('memberships').select(['account_id', 'role']).where('user_id', '=', user.id).execute();
    expect(ms).toEqual([{ account_id: await accountIdOf(ctx, owner.email), role: 'member' }]);

    // Used once: the link now answers 410, and a second sign-up through it is refused.
    const again = await new Client(ctx.built.app).get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been used');
    const reuse = await new Client(ctx.built.app).post(link, { password: 'another password' });
    expect(reuse.status).toBe(410);
  });

  it('an expired link answers 410 (7 days)', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const link = await inviteVia(ctx, owner, uniqueEmail('late'), 'viewer');
    ctx.built.clock.advance(7 * DAY - MINUTE);
    expect((await new Client(ctx.built.app).get(link)).status).toBe(200);
    ctx.built.clock.advance(2 * MINUTE);
    const res = await new Client(ctx.built.app).get(link);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('expired');
    expect((await new Client(ctx.built.app).post(link, { password: 'correct horse battery' })).status).toBe(410);
    // No longer listed as pending.
    expect(await (await owner.get('/settings/members')).text()).not.toContain('data-testid="invitation"');
  });

  it('a revoked link answers 410 and an unknown one 404', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const email = uniqueEmail('revoked');
    const link = await inviteVia(ctx, owner, email, 'member');
    const id = (await ctx.t.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow()).id;

    const res = await owner.post(`/settings/members/invitations/${id}/revoke`);
    expect(res.status).toBe(303);
    const gone = await new Client(ctx.built.app).get(link);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('revoked');
    expect((await owner.post(`/settings/members/invitations/${id}/revoke`)).status).toBe(404);
    expect((await new Client(ctx.built.app).get('/invite/notarealtokenbutlongenough1234567890')).status).toBe(404);
    expect((await new Client(ctx.built.app).get('/invite/x')).status).toBe(404);
  });
});

describe.each(testDbKinds())('teams on %s', (kind) => {
  const ctx = useTeamApp(kind);

  it('an existing user accepts while signed in, joins only that account and is switched to it', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const bob = await persona(ctx.built.app, 'bob');
    const third = await persona(ctx.built.app, 'third');
    await createMonitorVia(owner, { name: 'Owner monitor' });
    await createMonitorVia(bob, { name: 'Bob monitor' });
    await createMonitorVia(third, { name: 'Third monitor' });
    const link = await inviteVia(ctx, owner, bob.email, 'admin');

    const page = await (await bob.get(link)).text();
    expect(page).toContain('Accept and open owner Org');
    const res = await bob.post(`${link}/accept`);
    expect(res.status).toBe(303);
    const dash = await (await bob.get('/dashboard')).text();
    expect(dash).toContain('Owner monitor');
    expect(dash).not.toContain('Bob monitor');
    expect(dash).toContain('data-testid="account-switcher"');
    const ownerAccount = await accountIdOf(ctx, owner.email);
    const bobAccount = await accountIdOf(ctx, bob.email);
    const thirdAccount = await accountIdOf(ctx, third.email);
    const roles = await ctx.t.db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id').select(['account_id', 'role']).where('users.email', '=', bob.email).orderBy('account_id').execute();
    expect(roles).toEqual([
      { account_id: ownerAccount, role: 'admin' },
      { account_id: bobAccount, role: 'owner' },
    ].sort((a, b) => a.account_id - b.account_id));

    // Switch back and forth; the data shown is the switched account's.
    expect((await bob.post('/account/switch', { account_id: String(bobAccount) })).status).toBe(303);
    let shown = await (await bob.get('/dashboard')).text();
    expect(shown).toContain('Bob monitor');
    expect(shown).not.toContain('Owner monitor');
    expect((await bob.post('/account/switch', { account_id: String(ownerAccount) })).status).toBe(303);
    shown = await (await bob.get('/dashboard')).text();
    expect(shown).toContain('Owner monitor');
    // The session row itself moved (what resumeSession reads).
    const bobId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', bob.email).executeTakeFirstOrThrow()).id;
    const sessions = await ctx.t.db.selectFrom('sessions').select('account_id').where('revoked_at', 'is', null).where('user_id', '=', bobId).execute();
    expect(sessions.map((s) => s.account_id)).toEqual([ownerAccount]);

    // Not a member of the third account, nor of an account that does not exist: 404, nothing moves.
    expect((await bob.post('/account/switch', { account_id: String(thirdAccount) })).status).toBe(404);
    expect((await bob.post('/account/switch', { account_id: '999999' })).status).toBe(404);
    expect((await bob.post('/account/switch', { account_id: 'abc' })).status).toBe(404);
    shown = await (await bob.get('/dashboard')).text();
    expect(shown).toContain('Owner monitor');
    expect(shown).not.toContain('Third monitor');

    // Someone with one account sees no switcher.
    expect(await (await third.get('/dashboard')).text()).not.toContain('data-testid="account-switcher"');
  });

  it('a signed-in user cannot use an invitation addressed to someone else', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const mallory = await persona(ctx.built.app, 'mallory');
    const link = await inviteVia(ctx, owner, uniqueEmail('intended'), 'admin');
    expect(await (await mallory.get(link)).text()).toContain('but you are logged in as');
    const res = await mallory.post(`${link}/accept`);
    expect(res.status).toBe(403);
    const mine = await ctx.t.db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id').select('account_id').where('users.email', '=', mallory.email).execute();
    expect(mine).toHaveLength(1);
    expect((await new Client(ctx.built.app).get(link)).status).toBe(200); // still unused
  });

  it('a visitor whose address already has a login is sent to log in and comes back to accept', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const carol = await persona(ctx.built.app, 'carol');
    const link = await inviteVia(ctx, owner, carol.email, 'viewer');
    const visitor = new Client(ctx.built.app);
    const page = await (await visitor.get(link)).text();
    expect(page).toContain(`/login?next=${encodeURIComponent(link)}`);
    expect(page).not.toContain('Choose a password');
    expect((await visitor.post(link, { password: 'whatever-long' })).status).toBe(422);
    const login = await visitor.post('/login', { email: carol.email, password: carol.password, next: link });
    expect(login.headers.get('location')).toBe(link);
    expect(await (await visitor.get(link)).text()).toContain('Accept and open owner Org');
    expect((await visitor.post(`${link}/accept`)).status).toBe(303);
    expect(await (await visitor.get('/dashboard')).text()).toContain('owner Org');
  });

  it('invite rules: admins cannot invite owners, members are not invited twice, a new invitation replaces the old', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const admin = await joinAs(ctx, owner, 'admin');
    const before = await ctx.t.db.selectFrom('invitations').select('id').execute();

    const asOwner = await admin.post('/settings/members/invite', { email: uniqueEmail('boss'), role: 'owner' });
    expect(asOwner.status).toBe(403);
    expect(await asOwner.text()).toContain('Only an owner can invite another owner');
    expect(await ctx.t.db.selectFrom('invitations').select('id').execute()).toHaveLength(before.length);
    expect(await (await admin.get('/settings/members')).text()).not.toContain('<option value="owner"');

    const existing = await owner.post('/settings/members/invite', { email: admin.email, role: 'viewer' });
    expect(existing.status).toBe(422);
    expect(await existing.text()).toContain('is already a member of this account');
    const bad = await owner.post('/settings/members/invite', { email: 'not-an-email', role: 'chief' });
    expect(bad.status).toBe(422);

    const email = uniqueEmail('twice');
    const first = await inviteVia(ctx, admin, email, 'member');
    const second = await inviteVia(ctx, admin, email, 'viewer');
    expect((await new Client(ctx.built.app).get(first)).status).toBe(410);
    expect((await new Client(ctx.built.app).get(second)).status).toBe(200);
    const list = await (await admin.get('/settings/members')).text();
    expect(list.match(/data-testid="invitation"/g)).toHaveLength(1);
  });

  it("revoking another account's invitation id answers 404 and leaves it working", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const other = await persona(ctx.built.app, 'other');
    const link = await inviteVia(ctx, other, uniqueEmail('theirs'), 'member');
    const id = (await ctx.t.db.selectFrom('invitations').select('id').executeTakeFirstOrThrow()).id;
    expect((await owner.post(`/settings/members/invitations/${id}/revoke`)).status).toBe(404);
    expect((await new Client(ctx.built.app).get(link)).status).toBe(200);
  });

  it('roles: only owners touch owners, the last owner cannot leave, be demoted or removed', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const admin = await joinAs(ctx, owner, 'admin');
    const ownerId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', owner.email).executeTakeFirstOrThrow()).id;
    const adminId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', admin.email).executeTakeFirstOrThrow()).id;

    const leave = await owner.post('/settings/members/leave');
    expect(leave.status).toBe(409);
    expect(await leave.text()).toContain('You are the last owner of this account');
    const demote = await owner.post(`/settings/members/${ownerId}/role`, { role: 'admin' });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain('is the last owner');
    expect((await admin.post(`/settings/members/${ownerId}/role`, { role: 'viewer' })).status).toBe(403);
    expect((await admin.post(`/settings/members/${ownerId}/remove`)).status).toBe(403);
    expect((await admin.post(`/settings/members/${adminId}/role`, { role: 'owner' })).status).toBe(403);
    expect((await owner.post(`/settings/members/999999/role`, { role: 'viewer' })).status).toBe(404);

    // The owner promotes the admin; now the first owner may step down and leave.
    expect((await owner.post(`/settings/members/${adminId}/role`, { role: 'owner' })).status).toBe(303);
    expect((await owner.post(`/settings/members/${ownerId}/role`, { role: 'viewer' })).status).toBe(303);
    const roles = await ctx.t.db.selectFrom('memberships').select(['user_id', 'role']).where('user_id', 'in', [ownerId, adminId]).where('account_id', '=', await accountIdOf(ctx, owner.email)).orderBy('user_id').execute();
    expect(roles).toEqual([{ user_id: ownerId, role: 'viewer' }, { user_id: adminId, role: 'owner' }].sort((a, b) => a.user_id - b.user_id));
    // The remaining (last) owner cannot be demoted, even by themselves.
    const last = await admin.post(`/settings/members/${adminId}/role`, { role: 'admin' });
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('is the last owner');
  });

  it("a removed member's session no longer reaches the account", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const member = await joinAs(ctx, owner, 'member');
    const multi = await persona(ctx.built.app, 'multi');
    const link = await inviteVia(ctx, owner, multi.email, 'member');
    await multi.post(`${link}/accept`);
    const id = await createMonitorVia(owner, { name: 'Secret monitor' });
    expect((await member.get(`/monitors/${id}`)).status).toBe(200);
    expect((await multi.get(`/monitors/${id}`)).status).toBe(200);

    const memberId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', member.email).executeTakeFirstOrThrow()).id;
    const multiId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', multi.email).executeTakeFirstOrThrow()).id;
    expect((await owner.post(`/settings/members/${memberId}/remove`, { _confirm: '1' })).status).toBe(303);
    expect((await owner.post(`/settings/members/${multiId}/remove`, { _confirm: '1' })).status).toBe(303);

    // No other account: signed out.
    const gone = await member.get(`/monitors/${id}`);
    expect(gone.status).toBe(302);
    expect(gone.headers.get('location')).toMatch(/^\/login/);
    // Another account: still signed in, but there, and the old account's monitor is a 404.
    expect((await multi.get(`/monitors/${id}`)).status).toBe(404);
    const dash = await (await multi.get('/dashboard')).text();
    expect(dash).toContain('multi Org');
    expect(dash).not.toContain('Secret monitor');
    const members = await (await owner.get('/settings/members')).text();
    expect(members).not.toContain(member.email);
  });

  it('leaving moves the session to another account, or logs out when there is none', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const viewer = await joinAs(ctx, owner, 'viewer');
    const res = await viewer.post('/settings/members/leave', { _confirm: '1' });
    expect(res.headers.get('location')).toBe('/login?left=1');
    expect((await viewer.get('/dashboard')).status).toBe(302);
    expect(await (await viewer.get('/login?left=1')).text()).toContain('You left the account');

    const dana = await persona(ctx.built.app, 'dana');
    await dana.post(`${await inviteVia(ctx, owner, dana.email, 'member')}/accept`);
    expect(await (await dana.get('/dashboard')).text()).toContain('owner Org');
    expect((await dana.post('/settings/members/leave', { _confirm: '1' })).headers.get('location')).toBe('/dashboard');
    expect(await (await dana.get('/dashboard')).text()).toContain('dana Org');
  });

  it('audit log: monitor, channel, maintenance and member changes, newest first, paged', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const id = await createMonitorVia(owner, { name: 'Audited' });
    await owner.post(`/monitors/${id}/edit`, { name: 'Audited 2', url: 'https://example.com/health', interval_seconds: '120' });
    await owner.post(`/monitors/${id}/pause`);
    await owner.post(`/monitors/${id}/resume`);
    const viewer = await joinAs(ctx, owner, 'viewer');
    const viewerId = (await ctx.t.db.selectFrom('users').select('id').where('email', '=', viewer.email).executeTakeFirstOrThrow()).id;
    await owner.post(`/settings/members/${viewerId}/role`, { role: 'member' });
    await owner.post('/settings/alerts', { kind: 'email', name: 'Ops mail', recipients: 'ops@example.com' });
    const channelId = (await ctx.t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow()).id;
    await owner.post(`/settings/alerts/${channelId}/delete`, { _confirm: '1' });
    await owner.post('/maintenance', { title: 'Nightly', type: 'recurring', timezone: 'UTC', cron: '0 3 * * *', duration_minutes: '30', [`monitor_${id}`]: 'on' });
    const windowId = (await ctx.t.db.selectFrom('maintenance_windows').select('id').executeTakeFirstOrThrow()).id;
    await owner.post(`/maintenance/${windowId}/end`);
    await owner.post(`/maintenance/${windowId}/delete`, { _confirm: '1' });
    await owner.post(`/settings/members/${viewerId}/remove`, { _confirm: '1' });
    await owner.post(`/monitors/${id}/delete`, { _confirm: '1' });

    const rows = await ctx.t.db.selectFrom('audit_log').select(['action', 'actor', 'target', 'details']).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual([
      'monitor.created',
      'monitor.updated',
      'monitor.paused',
      'monitor.resumed',
      'member.invited',
      'member.joined',
      'member.role_changed',
      'alert_channel.created',
      'alert_channel.deleted',
      'maintenance.created',
      'maintenance.ended',
      'maintenance.deleted',
      'member.removed',
      'monitor.deleted',
    ]);
    expect(rows[0]!.actor).toBe(owner.email);
    expect(rows[5]!.actor).toBe(viewer.email);
    expect(JSON.parse(rows[1]!.details).changed).toEqual(expect.arrayContaining(['name', 'intervalSeconds']));
    expect(JSON.parse(rows[6]!.details)).toEqual({ from: 'viewer', to: 'member' });

    const html = await (await owner.get('/settings/audit')).text();
    const shown = [...html.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(rows.map((r) => r.action).reverse());
    expect(html).toContain('from: viewer · to: member');
    expect(html).toContain(`monitor ${id} (Audited 2)`);
    expect(html).not.toContain('Older entries');

    // Past one page, an "older" link leads to the rest.
    for (let i = 0; i < 45; i++) await owner.post(`/monitors/${await createMonitorVia(owner, { name: `Bulk ${i}` })}/pause`);
    const first = await (await owner.get('/settings/audit')).text();
    expect(first.match(/data-testid="audit-entry"/g)).toHaveLength(50);
    const older = /href="\/settings\/audit\?before=(\d+)"/.exec(first);
    expect(older).not.toBeNull();
    const second = await (await owner.get(`/settings/audit?before=${older![1]}`)).text();
    expect(second.match(/data-testid="audit-entry"/g)).toHaveLength(50);
    const oldest = /href="\/settings\/audit\?before=(\d+)"/.exec(second)![1];
    const third = await (await owner.get(`/settings/audit?before=${oldest}`)).text();
    expect(third.match(/data-testid="audit-entry"/g)).toHaveLength(14 + 90 - 100); // 14 above + 45 × (created, paused)
    expect(third).toContain(`monitor ${id} (Audited)`); // the very first entry
    expect(third).not.toContain('Older entries');
    expect((await owner.get('/settings/audit?before=garbage')).status).toBe(200);
  });
});
