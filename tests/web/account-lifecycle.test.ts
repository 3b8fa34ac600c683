import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../src/lib/clock.ts';
import { buildApp, Client, createMonitorVia, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { linkIn, useSmtp } from '../helpers/smtp.ts';

const smtp = useSmtp();

describe.each(testDbKinds())('account lifecycle on %s', (kind) => {
  let t: TestDb;
  let built: ReturnType<typeof buildApp>;
  beforeEach(async () => {
    t = await openTestDb(kind);
    built = buildApp(t.db, { SMTP_URL: smtp.url, TRUST_PROXY: '1' });
    smtp.mails.length = 0;
  });
  afterEach(() => t.close());

  const mailTo = (email: string, path: string) => smtp.waitFor((m) => m.to.includes(email) && m.text.includes(path));
  const userRow = (email: string) => t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

  describe('email verification', () => {
    it('sign-up emails a single-use link; the banner shows until it is followed', async () => {
      const owner = await persona(built.app, 'owner');
      expect(await (await owner.get('/dashboard')).text()).toContain('data-testid="verify-banner"');
      expect((await userRow(owner.email))!.email_verified_at).toBeNull();

      const link = linkIn(await mailTo(owner.email, '/verify-email/'), '/verify-email/');
      const first = await owner.get(link);
      expect(first.status).toBe(200);
      expect(await first.text()).toContain('Email address confirmed');
      expect((await userRow(owner.email))!.email_verified_at).toBe(built.clock.now());
      expect(await (await owner.get('/dashboard')).text()).not.toContain('data-testid="verify-banner"');

      const again = await owner.get(link);
      expect(again.status).toBe(410);
      expect(await again.text()).toContain('already used');
    });

    it('an expired link is refused; Resend sends a new one, at most 3 an hour (429 with Retry-After)', async () => {
      const owner = await persona(built.app, 'owner');
      const old = linkIn(await mailTo(owner.email, '/verify-email/'), '/verify-email/');
      built.clock.advance(48 * HOUR + 1);
      const expired = await owner.get(old);
      expect(expired.status).toBe(410);
      expect(await expired.text()).toContain('expired');
      expect((await userRow(owner.email))!.email_verified_at).toBeNull();

      await owner.get('/dashboard');
      smtp.mails.length = 0;
      const resend = await owner.post('/settings/verify-email');
      expect(resend.status).toBe(303);
      expect(resend.headers.get('location')).toBe('/settings?saved=verification');
      const fresh = linkIn(await mailTo(owner.email, '/verify-email/'), '/verify-email/');
      expect(fresh).not.toBe(old);

      await owner.post('/settings/verify-email');
      await owner.post('/settings/verify-email');
      const limited = await owner.post('/settings/verify-email');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

      expect((await owner.get(fresh)).status).toBe(200);
      expect((await userRow(owner.email))!.email_verified_at).not.toBeNull();
    });

    it('a link without a valid token is a clear 410 page, not an error', async () => {
      const res = await new Client(built.app).get('/verify-email/not-a-token');
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('not valid');
    });
  });

  describe('password reset', () => {
    it('same answer for unknown addresses; single-use link; every old session revoked; signed in fresh', async () => {
      const owner = await persona(built.app, 'owner');
      const laptop = new Client(built.app);
      await laptop.post('/login', { email: owner.email, password: owner.password });
      expect((await laptop.get('/dashboard')).status).toBe(200);

      const anon = new Client(built.app);
      expect(await (await anon.get('/login')).text()).toContain('href="/forgot-password"');
      await anon.get('/forgot-password');
      const unknown = await anon.post('/forgot-password', { email: 'nobody@example.com' });
      const known = await anon.post('/forgot-password', { email: owner.email });
      expect(unknown.status).toBe(200);
      expect(known.status).toBe(200);
      const normalise = (s: string) => s.replace(owner.email, 'X').replace('nobody@example.com', 'X').replace(/name="_csrf" value="[^"]+"/, '');
      expect(normalise(await known.text())).toBe(normalise(await unknown.text()));

      const link = linkIn(await mailTo(owner.email, '/reset-password/'), '/reset-password/');
      expect(smtp.mails.some((m) => m.to.includes('nobody@example.com'))).toBe(false);

      const form = await anon.get(link);
      expect(form.status).toBe(200);
      const short = await anon.post(link, { password: 'short' });
      expect(short.status).toBe(422);
      expect(await short.text()).toContain('at least 8');
      const done = await anon.post(link, { password: 'brand new secret' });
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/dashboard');
      expect((await anon.get('/dashboard')).status).toBe(200);

      // Both earlier sessions are gone.
      expect((await owner.get('/dashboard')).status).toBe(302);
      expect((await laptop.get('/dashboard')).status).toBe(302);

      expect((await anon.get(link)).status).toBe(410);
      expect((await anon.post(link, { password: 'another new one' })).status).toBe(410);
      const fresh = new Client(built.app);
      expect((await fresh.post('/login', { email: owner.email, password: owner.password })).status).toBe(401);
      expect((await fresh.post('/login', { email: owner.email, password: 'brand new secret' })).status).toBe(303);
      const hash = (await userRow(owner.email))!.password_hash;
      expect(hash.startsWith('$argon2id$')).toBe(true);
      // Reading the link proved the address.
      expect((await userRow(owner.email))!.email_verified_at).not.toBeNull();
    });

    it('a reset link expires after one hour', async () => {
      const owner = await persona(built.app, 'owner');
      const anon = new Client(built.app);
      await anon.post('/forgot-password', { email: owner.email });
      const link = linkIn(await mailTo(owner.email, '/reset-password/'), '/reset-password/');
      built.clock.advance(59 * MINUTE);
      expect((await anon.get(link)).status).toBe(200);
      built.clock.advance(2 * MINUTE);
      const late = await anon.get(link);
      expect(late.status).toBe(410);
      expect(await late.text()).toContain('expired');
      expect((await anon.post(link, { password: 'brand new secret' })).status).toBe(410);
    });

    it('is rate-limited per address and per client IP, with Retry-After', async () => {
      const anon = new Client(built.app, { 'x-forwarded-for': '203.0.113.7' });
      for (let i = 0; i < 3; i++) expect((await anon.post('/forgot-password', { email: 'someone@example.com' })).status).toBe(200);
      const perAddress = await anon.post('/forgot-password', { email: 'someone@example.com' });
      expect(perAddress.status).toBe(429);
      expect(Number(perAddress.headers.get('retry-after'))).toBeGreaterThan(0);
      for (let i = 0; i < 7; i++) expect((await anon.post('/forgot-password', { email: `other${i}@example.com` })).status).toBe(200);
      const perIp = await anon.post('/forgot-password', { email: 'fresh@example.com' });
      expect(perIp.status).toBe(429);
      expect(Number(perIp.headers.get('retry-after'))).toBeGreaterThan(0);
      const elsewhere = new Client(built.app, { 'x-forwarded-for': '198.51.100.9' });
      expect((await elsewhere.post('/forgot-password', { email: 'fresh@example.com' })).status).toBe(200);
    });
  });

  describe('change email', () => {
    it('needs the password, refuses taken addresses, and changes only when the new address confirms', async () => {
      const owner = await persona(built.app, 'owner');
      const other = await persona(built.app, 'other');
      await owner.get('/settings');
      const wrong = await owner.post('/settings/email', { new_email: 'new@example.com', current_password: 'nope' });
      expect(wrong.status).toBe(422);
      expect(await wrong.text()).toContain('current password is not correct');
      const taken = await owner.post('/settings/email', { new_email: other.email, current_password: owner.password });
      expect(taken.status).toBe(422);
      expect(await taken.text()).toContain('already used by another');

      const ok = await owner.post('/settings/email', { new_email: 'New@Example.com', current_password: owner.password });
      expect(ok.status).toBe(303);
      const link = linkIn(await mailTo('new@example.com', '/confirm-email/'), '/confirm-email/');
      const notice = await smtp.waitFor((m) => m.to.includes(owner.email) && m.text.includes('about to change'));
      expect(notice.text).not.toContain('/confirm-email/');
      expect(await userRow(owner.email)).toBeDefined();

      // Opening the link only asks; the POST from that page makes the change.
      const anon = new Client(built.app);
      const page = await anon.get(link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('new@example.com');
      expect(await userRow('new@example.com')).toBeUndefined();
      const confirmed = await anon.post(link);
      expect(confirmed.status).toBe(200);
      expect(await confirmed.text()).toContain('Your StatusPing login is now new@example.com');
      const row = await userRow('new@example.com');
      expect(row!.email_verified_at).not.toBeNull();
      expect(await userRow(owner.email)).toBeUndefined();
      expect((await anon.post(link)).status).toBe(410);
      expect((await new Client(built.app).post('/login', { email: 'new@example.com', password: owner.password })).status).toBe(303);
    });
  });

  describe('delete account', () => {
    it('needs the owner role, the account name and the password; then everything is gone and the session ends', async () => {
      const owner = await persona(built.app, 'owner');
      const monitorId = await createMonitorVia(owner);
      const settings = await (await owner.get('/settings')).text();
      expect(settings).toContain('Danger zone');
      const account = await t.db.selectFrom('accounts').selectAll().where('name', '=', 'owner Org').executeTakeFirstOrThrow();

      const wrongName = await owner.post('/settings/delete-account', { confirm: 'owner', password: owner.password });
      expect(wrongName.status).toBe(422);
      expect(await wrongName.text()).toContain('Type the account name');
      const wrongPassword = await owner.post('/settings/delete-account', { confirm: 'owner Org', password: 'nope' });
      expect(wrongPassword.status).toBe(422);
      expect(await t.db.selectFrom('monitors').select('id').where('id', '=', monitorId).executeTakeFirst()).toBeDefined();

      const done = await owner.post('/settings/delete-account', { confirm: 'owner Org', password: owner.password });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('Your login was deleted too');
      expect((await owner.get('/dashboard')).status).toBe(302);
      expect(await t.db.selectFrom('accounts').select('id').where('id', '=', account.id).executeTakeFirst()).toBeUndefined();
      expect(await t.db.selectFrom('monitors').select('id').where('id', '=', monitorId).executeTakeFirst()).toBeUndefined();
      expect(await userRow(owner.email)).toBeUndefined();
    });

    it('a non-owner cannot delete the account (403) and sees no danger zone', async () => {
      const admin = await persona(built.app, 'admin');
      const user = await userRow(admin.email);
      await t.db.updateTable('memberships').set({ role: 'admin' }).where('user_id', '=', user!.id).execute();
      expect(await (await admin.get('/settings')).text()).not.toContain('Danger zone');
      const res = await admin.post('/settings/delete-account', { confirm: 'admin Org', password: admin.password });
      expect(res.status).toBe(403);
      expect(await t.db.selectFrom('accounts').select('id').where('name', '=', 'admin Org').executeTakeFirst()).toBeDefined();
    });
  });
});
