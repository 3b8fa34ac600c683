import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { buildApp, Client, persona, TEST_SECRET } from '../helpers/app.ts';

describe.each(testDbKinds())('accounts and sessions on %s', (kind) => {
  let t: TestDb;
  let app: ReturnType<typeof buildApp>['app'];
  beforeEach(async () => {
    t = await openTestDb(kind);
    app = buildApp(t.db).app;
  });
  afterEach(() => t.close());

  it('sign-up form has labelled Email, Password and Organization fields', async () => {
    const html = await (await new Client(app).get('/signup')).text();
    for (const [id, label] of [['email', 'Email'], ['password', 'Password'], ['organization', 'Organization']]) {
      expect(html).toContain(`<label class="label" for="f-${id}">${label}</label>`);
      expect(html).toContain(`id="f-${id}" name="${id}"`);
    }
    const login = await (await new Client(app).get('/login')).text();
    expect(login).toContain('for="f-email">Email</label>');
    expect(login).toContain('for="f-password">Password</label>');
  });

  it('the login page offers "Create an account" only while sign-up is possible', async () => {
    const closed = buildApp(t.db, { ALLOW_SIGNUP: '0' }).app;
    // A fresh instance: the first user may always sign up, so the link is there.
    expect(await (await new Client(closed).get('/login')).text()).toContain('href="/signup">Create an account</a>');
    await persona(closed, 'first');
    const login = await (await new Client(closed).get('/login')).text();
    expect(login).not.toContain('href="/signup"');
    expect(login).toContain('Sign-up is closed on this instance');
    // The re-rendered form after a wrong password says the same.
    const wrong = await new Client(closed).post('/login', { email: 'nobody@example.com', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('href="/signup"');
    expect(await (await new Client(app).get('/login')).text()).toContain('href="/signup">Create an account</a>');
  });

  it('sign-up creates account, owner, unique slug and default status page, then lands on /dashboard', async () => {
    const c = new Client(app);
    const res = await c.post('/signup', { email: 'Ada@Example.com', password: 'longenough', organization: 'Acme Inc.' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('sp_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await c.get('/dashboard')).status).toBe(200);
    const user = await t.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user.email).toBe('ada@example.com');
    expect(user.is_admin).toBe(1);
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    const page = await t.db.selectFrom('status_pages').selectAll().executeTakeFirstOrThrow();
    expect(page.slug).toBe('acme-inc');

    const second = new Client(app);
    await second.post('/signup', { email: 'bob@example.com', password: 'longenough', organization: 'Acme Inc' });
    const slugs = (await t.db.selectFrom('accounts').select(['slug']).orderBy('id').execute()).map((r) => r.slug);
    expect(slugs).toEqual(['acme-inc', 'acme-inc-2']);
    const admins = await t.db.selectFrom('users').select('is_admin').orderBy('id').execute();
    expect(admins.map((a) => a.is_admin)).toEqual([1, 0]);
  });

  it('sets the Secure flag when served over https', async () => {
    const secureApp = buildApp(t.db, { BASE_URL: 'https://status.example.com' }).app;
    const res = await new Client(secureApp).post('/signup', { email: 's@example.com', password: 'longenough', organization: 'S' });
    expect(res.headers.getSetCookie().find((s) => s.startsWith('sp_session='))).toMatch(/Secure/);
  });

  it('shows clear sign-up errors and keeps what was typed', async () => {
    const res = await new Client(app).post('/signup', { email: 'not-an-email', password: 'short', organization: 'Org <b>' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Enter a valid email address');
    expect(html).toContain('Use at least 8 characters');
    expect(html).toContain('value="Org &lt;b&gt;"');
  });

  it('log-in with wrong password and with unknown email look the same', async () => {
    const owner = await persona(app, 'owner');
    const wrong = await new Client(app).post('/login', { email: owner.email, password: 'wrong-password' });
    const unknown = await new Client(app).post('/login', { email: 'nobody@example.com', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    // Only the per-browser CSRF token and the typed email may differ.
    const strip = (s: string) => s.replace(/value="[^"]*"/g, '').replace(/"X-CSRF-Token": "[^"]*"/g, '');
    expect(strip(await wrong.text())).toBe(strip(await unknown.text()));
  });

  it('signing up with a registered email does not create a second user', async () => {
    const owner = await persona(app, 'owner');
    const res = await new Client(app).post('/signup', { email: owner.email, password: 'another-password', organization: 'X' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('If you already have one, log in instead');
    expect(await t.db.selectFrom('users').select('id').execute()).toHaveLength(1);
  });

  it('log-in lands on /dashboard, or on a safe ?next= path only', async () => {
    const owner = await persona(app, 'owner');
    const c = new Client(app);
    const res = await c.post('/login', { email: owner.email, password: owner.password });
    expect(res.headers.get('location')).toBe('/dashboard');
    const evil = await new Client(app).post('/login', { email: owner.email, password: owner.password, next: '//evil.example' });
    expect(evil.headers.get('location')).toBe('/dashboard');
    // Dot segments that resolve to "//evil.example", after log-in and for a signed-in visitor.
    const dots = await new Client(app).post('/login', { email: owner.email, password: owner.password, next: '/..//evil.example' });
    expect(dots.headers.get('location')).toBe('/dashboard');
    const signedIn = await owner.get('/login?next=/%2e%2e//evil.example');
    expect(signedIn.headers.get('location')).toBe('/dashboard');
  });

  it('an old session cookie stops working after logout', async () => {
    const owner = await persona(app, 'owner');
    const stolen = owner.cookies.get('sp_session')!;
    expect((await owner.post('/logout')).status).toBe(303);
    const replay = await app.request('/dashboard', { headers: { cookie: `sp_session=${stolen}` } });
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toMatch(/^\/login/);
  });

  it('a password change revokes other sessions but keeps the current one', async () => {
    const owner = await persona(app, 'owner');
    const other = new Client(app);
    await other.post('/login', { email: owner.email, password: owner.password });
    expect((await other.get('/dashboard')).status).toBe(200);
    const res = await owner.post('/settings/password', { current_password: owner.password, new_password: 'a-brand-new-one' });
    expect(res.status).toBe(303);
    expect((await owner.get('/dashboard')).status).toBe(200);
    expect((await other.get('/dashboard')).status).toBe(302);
    expect((await new Client(app).post('/login', { email: owner.email, password: owner.password })).status).toBe(401);
    expect((await new Client(app).post('/login', { email: owner.email, password: 'a-brand-new-one' })).status).toBe(303);
  });

  it('a wrong current password is refused with a field message', async () => {
    const owner = await persona(app, 'owner');
    const res = await owner.post('/settings/password', { current_password: 'nope', new_password: 'a-brand-new-one' });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Your current password is not correct.');
  });

  it('log out everywhere revokes every session', async () => {
    const owner = await persona(app, 'owner');
    const other = new Client(app);
    await other.post('/login', { email: owner.email, password: owner.password });
    await owner.post('/settings/logout-everywhere');
    expect((await other.get('/dashboard')).status).toBe(302);
    expect((await owner.get('/dashboard')).status).toBe(302);
  });

  it('refuses a tampered token and an alg:none token', async () => {
    const owner = await persona(app, 'owner');
    const token = owner.cookies.get('sp_session')!;
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...payload, sub: '999' })).toString('base64url');
    const tampered = `${h}.${forgedPayload}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const wrongKey = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRET + 'x'));
    for (const bad of [tampered, none, wrongKey, 'garbage']) {
      const res = await app.request('/dashboard', { headers: { cookie: `sp_session=${bad}` } });
      expect(res.status).toBe(302);
    }
  });
});
