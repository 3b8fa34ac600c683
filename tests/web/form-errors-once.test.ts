import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/web/deps.ts';
import { html, VIEWS_DIR } from '../../src/web/render.ts';
import { Client, persona, useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { ownerWithPage } from '../helpers/posts.ts';
import { settingsPath } from '../helpers/pages.ts';

const count = (body: string, text: string) => body.split(text).length - 1;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe.each(testDbKinds())('form errors are shown once, where they belong, on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('the new-incident form: the page-level message is not shown under "Affected components"', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const res = await owner.post(`/pages/${pageId}/incidents`, { title: '', state: 'investigating', message: '', publish: 'now' });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(count(body, 'Please fix the highlighted fields')).toBe(1);
    expect(body).toContain('<div class="alert alert-error mb-3" role="alert">Please fix the highlighted fields</div>');
    const fieldset = body.slice(body.indexOf('<legend class="label">Affected components</legend>'), body.indexOf('</fieldset>'));
    expect(fieldset).toContain('owner API');
    expect(fieldset).not.toContain('field-error');
    expect(body).toContain('<p class="field-error" id="e-title">Give the post a title</p>');
    expect(body).toContain('<p class="field-error">Write a message</p>');
  });

  it('a real component error still shows under the components (maintenance form)', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const res = await owner.post(`/pages/${pageId}/maintenance`, { title: 'Upgrade', message: 'm', timezone: 'UTC', starts_at: '2030-01-01T10:00', ends_at: '2030-01-01T11:00' });
    expect(res.status).toBe(422);
    const body = await res.text();
    const fieldset = body.slice(body.indexOf('<legend class="label">Affected components</legend>'), body.indexOf('</fieldset>'));
    expect(fieldset).toContain('<p class="field-error">Choose at least one component</p>');
    expect(count(body, 'Choose at least one component')).toBe(1); // the only error: under its field, no banner repeating it
    expect(body).not.toContain('alert-error');
  });

  it('a private page’s wrong password is said once, under the field', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    expect((await owner.post(await settingsPath(owner), { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' })).status).toBe(303);
    const slug = (await ctx.t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const wrong = await new Client(ctx.built.app).raw(`/s/${slug}/unlock`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=nope' });
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(count(body, 'That password is not right.')).toBe(1);
    expect(body).toContain('<p class="field-error" id="e-password">That password is not right.</p>');
    expect(body).not.toContain('alert-error');
  });

  it('single-field errors elsewhere: API key name, alert recipients, logo upload', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const key = await (await owner.post('/settings/api-keys', { name: '', scope: 'read' })).text();
    const keyError = /<p class="field-error" id="e-name">([^<]+)<\/p>/.exec(key)?.[1];
    expect(keyError).toBeTruthy();
    expect(count(key, keyError!)).toBe(1);

    const mail = await owner.post('/settings/alerts', { kind: 'email', name: 'Mail', recipients: 'not-an-email' });
    expect(mail.status).toBe(422);
    const mailBody = await mail.text();
    expect(mailBody).toContain('<p class="field-error" id="e-recipients">One of the addresses is not valid</p>');
    expect(count(mailBody, 'One of the addresses is not valid')).toBe(1);

    await owner.get(`/pages/${pageId}`);
    const fd = new FormData();
    fd.set('_csrf', owner.csrf);
    fd.set('file', new Blob([new Uint8Array(Buffer.from('<html></html>'))], { type: 'image/png' }), 'logo.png');
    const logo = await owner.raw(`/pages/${pageId}/assets/logo`, { method: 'POST', body: fd });
    expect(logo.status).toBe(422);
    const logoBody = await logo.text();
    const logoError = /<p class="field-error">(Upload a PNG[^<]+)<\/p>/.exec(logoBody)?.[1];
    expect(logoError).toBeTruthy();
    expect(count(logoBody, logoError!)).toBe(1);
    // A good upload still works after that (the section's error did not stick).
    const ok = new FormData();
    ok.set('_csrf', owner.csrf);
    ok.set('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'logo.png');
    expect((await owner.raw(`/pages/${pageId}/assets/logo`, { method: 'POST', body: ok })).status).toBe(303);
  });

  it('several field errors keep the banner, and so does a page that does not show the field at fault', async () => {
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('deps', { config: { selfHosted: true }, delivery: { mailer: { via: 'smtp' } } } as unknown as AppEnv['Variables']['deps']);
      await next();
    });
    app.get('/shown', (c) => html(c, 'pages/statuspages/unlock', { slug: 'x', error: 'Nope.', fields: { password: 'Nope.' } }, 401));
    app.get('/not-shown', (c) => html(c, 'pages/statuspages/unlock', { slug: 'x', error: 'Nope.', fields: { elsewhere: 'Nope.' } }, 401));
    app.get('/other-text', (c) => html(c, 'pages/statuspages/unlock', { slug: 'x', error: 'Two things.', fields: { password: 'Nope.' } }, 401));
    const shown = await (await app.request('/shown')).text();
    expect(count(shown, 'Nope.')).toBe(1);
    expect(shown).not.toContain('alert-error');
    const notShown = await (await app.request('/not-shown')).text();
    expect(notShown).toContain('<div class="alert alert-error mb-4" role="alert">Nope.</div>');
    const other = await (await app.request('/other-text')).text();
    expect(other).toContain('role="alert">Two things.</div>');
    expect(other).toContain('id="e-password">Nope.</p>');
  });
});

describe('views', () => {
  /** Every .eta file under views/. */
  function views(dir = VIEWS_DIR): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? views(p) : p.endsWith('.eta') ? [p] : [];
    });
  }

  it('pass `error` to every field and components partial, so the page’s banner message is never inherited', () => {
    const missing: string[] = [];
    for (const file of views()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/include\('[^']*(?:partials\/field|\.\.\/field|posts\/components)',\s*(\{[^}]*\})/g)) {
        if (!/\berror:/.test(m[1]!)) missing.push(`${path.relative(VIEWS_DIR, file)}: ${m[0].slice(0, 80)}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
