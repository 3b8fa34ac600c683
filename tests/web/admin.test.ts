import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../src/lib/clock.ts';
import { buildApp, Client, createMonitorVia, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { linkIn, useSmtp } from '../helpers/smtp.ts';

const smtp = useSmtp();

describe.each(testDbKinds())('instance admin on %s', (kind) => {
  let t: TestDb;
  let built: ReturnType<typeof buildApp>;
  beforeEach(async () => {
    t = await openTestDb(kind);
    built = buildApp(t.db, { SMTP_URL: smtp.url });
    smtp.mails.length = 0;
  });
  afterEach(() => t.close());

  const userRow = (email: string) => t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

  it('the first user is the admin; anyone else gets the same 404 as a missing page', async () => {
    const admin = await persona(built.app, 'admin');
    const other = await persona(built.app, 'other');
    expect((await userRow(admin.email))!.is_admin).toBe(1);
    expect((await userRow(other.email))!.is_admin).toBe(0);

    const page = await admin.get('/admin');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(admin.email);
    expect(html).toContain(other.email);
    expect(html).toContain('other Org');
    expect(await (await admin.get('/dashboard')).text()).toContain('href="/admin"');

    const missing = await (await other.get('/no-such-page')).text();
    const denied = await other.get('/admin');
    expect(denied.status).toBe(404);
    expect((await denied.text()).replace(/name="_csrf" value="[^"]+"/, '')).toBe(missing.replace(/name="_csrf" value="[^"]+"/, ''));
    expect(await (await other.get('/dashboard')).text()).not.toContain('href="/admin"');
    for (const path of ['/admin/signup', '/admin/users', '/admin/users/1/delete', '/admin/accounts/1/plan']) {
      expect((await other.post(path, { choice: 'closed', plan: 'pro', email: 'x@example.com', organization: 'X' })).status, path).toBe(404);
    }
    expect(await t.db.selectFrom('instance_settings').selectAll().where('key', '=', 'signup_open').executeTakeFirst()).toBeUndefined();
    expect((await new Client(built.app).get('/admin')).status).toBe(302);
  });

  it('the sign-up switch closes and reopens /signup; "Use ALLOW_SIGNUP" returns to the environment', async () => {
    const admin = await persona(built.app, 'admin');
    await admin.get('/admin');
    expect((await admin.post('/admin/signup', { choice: 'closed' })).status).toBe(303);
    const visitor = new Client(built.app);
    expect((await visitor.get('/signup')).status).toBe(403);
    const refused = await visitor.post('/signup', { email: 'late@example.com', password: 'long enough', organization: 'Late' });
    expect(refused.status).toBe(403);
    expect(await userRow('late@example.com')).toBeUndefined();
    expect(await (await admin.get('/admin')).text()).toContain('data-testid="signup-state">closed');

    expect((await admin.post('/admin/signup', { choice: 'open' })).status).toBe(303);
    expect((await visitor.get('/signup')).status).toBe(200);
    // The test app sets ALLOW_SIGNUP=1: back to the default is open.
    await admin.post('/admin/signup', { choice: 'closed' });
    await admin.post('/admin/signup', { choice: 'default' });
    expect((await visitor.get('/signup')).status).toBe(200);
    expect((await admin.post('/admin/signup', { choice: 'maybe' })).status).toBe(422);
  });

  it('the sign-up section says what is in effect, who set it, and marks the active choice', async () => {
    const closed = buildApp(t.db, { SMTP_URL: smtp.url, ALLOW_SIGNUP: '0' });
    const admin = await persona(closed.app, 'admin');
    const state = async () => {
      const html = await (await admin.get('/admin')).text();
      const active = /<button class="btn btn-sm btn-primary" name="choice" value="(\w+)" type="submit" aria-current="true" data-testid="signup-choice">/g;
      return {
        text: /Sign-up is currently: <strong data-testid="signup-state">(\w+)<\/strong>\s*<span data-testid="signup-source">([^<]+)<\/span>/.exec(html)?.slice(1).join(' '),
        active: [...html.matchAll(active)].map((m) => m[1]),
        marked: (html.match(/aria-current="true"/g) ?? []).length,
      };
    };
    expect(await state()).toEqual({ text: 'closed (set by ALLOW_SIGNUP)', active: ['default'], marked: 1 });
    await admin.post('/admin/signup', { choice: 'open' });
    expect(await state()).toEqual({ text: 'open (set by an admin on this page)', active: ['open'], marked: 1 });
    expect(await (await admin.get('/admin')).text()).toContain('The choice here overrides ALLOW_SIGNUP, which alone would make it closed.');
    await admin.post('/admin/signup', { choice: 'closed' });
    expect(await state()).toEqual({ text: 'closed (set by an admin on this page)', active: ['closed'], marked: 1 });
  });

  it('with ALLOW_SIGNUP=0 sign-up is closed until the admin opens it', async () => {
    const closed = buildApp(t.db, { SMTP_URL: smtp.url, ALLOW_SIGNUP: '0' });
    const admin = await persona(closed.app, 'admin'); // the first user may always sign up
    expect((await new Client(closed.app).get('/signup')).status).toBe(403);
    await admin.get('/admin');
    await admin.post('/admin/signup', { choice: 'open' });
    expect((await new Client(closed.app).get('/signup')).status).toBe(200);
  });

  it('adds a user with their own account, who receives a set-password link and lands in their dashboard', async () => {
    const admin = await persona(built.app, 'admin');
    await admin.post('/admin/signup', { choice: 'closed' });
    await admin.get('/admin');
    const bad = await admin.post('/admin/users', { email: 'not an email', organization: 'Beta' });
    expect(bad.status).toBe(422);
    const res = await admin.post('/admin/users', { email: 'Newbie@Example.com', organization: 'Beta Corp' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Created newbie@example.com');
    const dup = await admin.post('/admin/users', { email: 'newbie@example.com', organization: 'Again' });
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain('already has a login');

    const account = await t.db.selectFrom('accounts').selectAll().where('name', '=', 'Beta Corp').executeTakeFirstOrThrow();
    const audit = await t.db.selectFrom('audit_log').selectAll().where('account_id', '=', account.id).execute();
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['admin.user_created', admin.email]]);

    const mail = await smtp.waitFor((m) => m.to.includes('newbie@example.com') && m.text.includes('/reset-password/'));
    expect(mail.text).toContain('Beta Corp');
    const link = linkIn(mail, '/reset-password/');
    const newbie = new Client(built.app);
    expect((await newbie.get(link)).status).toBe(200);
    // Valid for 48 hours, not the one hour of a reset.
    built.clock.advance(47 * 60 * MINUTE);
    expect((await newbie.post(link, { password: 'my own password' })).status).toBe(303);
    const dash = await newbie.get('/dashboard');
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain('Beta Corp');
    expect((await userRow('newbie@example.com'))!.email_verified_at).not.toBeNull();
  });

  it('changes an account plan by hand on a self-hosted instance, audited; refuses bad plans and SaaS', async () => {
    const admin = await persona(built.app, 'admin');
    await persona(built.app, 'customer');
    const account = await t.db.selectFrom('accounts').selectAll().where('name', '=', 'customer Org').executeTakeFirstOrThrow();
    await admin.get('/admin');
    expect((await admin.post(`/admin/accounts/${account.id}/plan`, { plan: 'platinum' })).status).toBe(422);
    expect((await admin.post('/admin/accounts/99999/plan', { plan: 'pro' })).status).toBe(404);
    expect((await admin.post(`/admin/accounts/${account.id}/plan`, { plan: 'pro' })).status).toBe(303);
    const after = await t.db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(after.plan).toBe('pro');
    expect(after.plan_changed_at).toBe(built.clock.now());
    const audit = await t.db.selectFrom('audit_log').selectAll().where('account_id', '=', account.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.action).toBe('billing.plan_changed');
    expect(audit[0]!.target).toBe('plan free → pro');
    expect(audit[0]!.actor).toBe(admin.email);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ reason: 'admin', paused: [], raised: [] });

    const saas = buildApp(t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const saasAdmin = new Client(saas.app);
    await saasAdmin.post('/login', { email: admin.email, password: admin.password });
    await saasAdmin.get('/admin');
    const refused = await saasAdmin.post(`/admin/accounts/${account.id}/plan`, { plan: 'business' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Stripe');
  });

  it('self-hosted, accounts show "self-hosted (no limits)" rather than a plan; with Stripe, their plan', async () => {
    const admin = await persona(built.app, 'admin');
    const page = await (await admin.get('/admin')).text();
    expect(page).toContain('<span data-testid="plan">self-hosted (no limits)</span>');
    expect(page).not.toContain('<span data-testid="plan">free</span>');
    expect(page).toContain('<summary>Stored plan: free</summary>');
    const editor = await (await admin.get((await admin.get('/settings/status-page')).headers.get('location')!)).text();
    expect(editor).toContain('Hide "Powered by StatusPing"</label>');
    expect(editor).not.toContain('(paid plans)');

    const saas = buildApp(t.db, { STRIPE_SECRET_KEY: 'sk_test_x' });
    const saasAdmin = new Client(saas.app);
    await saasAdmin.post('/login', { email: admin.email, password: admin.password });
    const saasPage = await (await saasAdmin.get('/admin')).text();
    expect(saasPage).toContain('<span data-testid="plan">free</span>');
    expect(saasPage).not.toContain('self-hosted (no limits)');
    const saasEditor = await (await saasAdmin.get((await saasAdmin.get('/settings/status-page')).headers.get('location')!)).text();
    expect(saasEditor).toContain('Hide "Powered by StatusPing" (paid plans)</label>');
  });

  it('deletes a user with their memberless account; never the admin themselves', async () => {
    const admin = await persona(built.app, 'admin');
    const leaving = await persona(built.app, 'leaving');
    const monitorId = await createMonitorVia(leaving);
    const target = await userRow(leaving.email);
    const me = await userRow(admin.email);
    await admin.get('/admin');
    const self = await admin.post(`/admin/users/${me!.id}/delete`);
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('cannot delete your own login');
    expect((await admin.post(`/admin/users/${target!.id}/delete`, { _confirm: '1' })).status).toBe(303);
    expect(await userRow(leaving.email)).toBeUndefined();
    expect(await t.db.selectFrom('accounts').select('id').where('name', '=', 'leaving Org').executeTakeFirst()).toBeUndefined();
    expect(await t.db.selectFrom('monitors').select('id').where('id', '=', monitorId).executeTakeFirst()).toBeUndefined();
    expect((await leaving.get('/dashboard')).status).toBe(302);
    expect((await admin.post('/admin/users/99999/delete')).status).toBe(404);
  });

  it('records last activity at most once per 5 minutes per user', async () => {
    const admin = await persona(built.app, 'admin');
    const seen = async () => (await userRow(admin.email))!.last_seen_at;
    const first = await seen();
    expect(first).toBe(built.clock.now());
    built.clock.advance(4 * MINUTE);
    await admin.get('/dashboard');
    expect(await seen()).toBe(first);
    built.clock.advance(MINUTE);
    await admin.get('/dashboard');
    expect(await seen()).toBe(built.clock.now());
    expect(await (await admin.get('/admin')).text()).toContain(new Date(built.clock.now()).toISOString().slice(0, 16).replace('T', ' '));
  });
});
