import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, Client, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { useSmtp } from '../helpers/smtp.ts';

const NO_PROVIDER = 'This instance has no mail provider';

describe.each(testDbKinds())('pages say where links went when no mail provider is configured, on %s', (kind) => {
  const smtp = useSmtp();
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  it('log mode: the verify banner says the link is in the server log, worded for an admin or for everyone else', async () => {
    const { app } = buildApp(t.db);
    const admin = await persona(app, 'admin');
    const banner = await (await admin.get('/dashboard')).text();
    expect(banner).toContain('data-testid="verify-banner"');
    expect(banner).toContain(`${NO_PROVIDER}, so the confirmation link was written to the server log`);
    expect(banner).toContain('set RESEND_API_KEY or SMTP_URL');
    expect(banner).not.toContain('we sent a link');

    const other = await persona(app, 'other');
    const theirs = await (await other.get('/dashboard')).text();
    expect(theirs).toContain(NO_PROVIDER);
    expect(theirs).toContain('The administrator of this instance can find it there.');
    expect(theirs).not.toContain('RESEND_API_KEY');

    const resent = await other.post('/settings/verify-email');
    expect(resent.headers.get('location')).toBe('/settings?saved=verification');
    const settings = await (await other.get('/settings?saved=verification')).text();
    expect(settings).toContain(`${NO_PROVIDER}, so a new confirmation link was written to the server log`);
    expect(settings).not.toContain('is on its way');
  });

  it('log mode: invitations and password resets say the same; with SMTP they say the mail was sent', async () => {
    const { app } = buildApp(t.db);
    const owner = await persona(app, 'owner');
    expect((await owner.post('/settings/members/invite', { email: 'new@example.com', role: 'member' })).status).toBe(303);
    const members = await (await owner.get('/settings/members?invited=new%40example.com')).text();
    expect(members).toContain('Invitation for new@example.com created.');
    expect(members).toContain(`${NO_PROVIDER}, so the invitation link was written to the server log`);
    expect(members).not.toContain('Invitation sent to');

    const anon = new Client(app);
    await anon.get('/forgot-password');
    const forgot = await (await anon.post('/forgot-password', { email: owner.email })).text();
    expect(forgot).toContain(NO_PROVIDER);
    expect(forgot).not.toContain('we have emailed it');

    const page = await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow();
    const visitor = new Client(app);
    const token = /name="form_token" value="([^"]+)"/.exec(await (await visitor.get(`/s/${page.slug}/subscribe`)).text())![1]!;
    const subscribed = await visitor.post(`/s/${page.slug}/subscribe`, { form_token: token, kind: 'email', address: 'reader@example.com' });
    expect(subscribed.status).toBe(200);
    const told = await subscribed.text();
    expect(told).toContain('this instance has no mail provider');
    expect(told).not.toContain('Check your inbox');

    const mailed = buildApp(t.db, { SMTP_URL: smtp.url }).app;
    const withMail = await persona(mailed, 'mailed');
    const dash = await (await withMail.get('/dashboard')).text();
    expect(dash).toContain('we sent a link to');
    expect(dash).not.toContain(NO_PROVIDER);
    const mailedAnon = new Client(mailed);
    await mailedAnon.get('/forgot-password');
    const sent = await (await mailedAnon.post('/forgot-password', { email: withMail.email })).text();
    expect(sent).toContain('we have emailed it a link');
    expect(sent).not.toContain(NO_PROVIDER);
  });
});
