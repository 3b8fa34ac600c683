import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonitor, type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';
import { invitePath, type SmtpSink, startSmtp } from '../helpers/smtp.ts';

describe.skipIf(!executablePath)('team invitation in a browser (headless chromium)', () => {
  let smtp: SmtpSink;
  let e2e: BrowserApp;

  beforeAll(async () => {
    smtp = await startSmtp();
    // Sign-up stays closed (the self-hosted default): the invitee gets in through the link only.
    e2e = await startBrowserApp({ SMTP_URL: smtp.url });
  });

  afterAll(async () => {
    await e2e?.close();
    await smtp?.close();
  });

  it('the owner invites a viewer by email; the viewer signs up through the link and cannot edit a monitor', async () => {
    const { base, browser, t } = e2e;
    const ownerCtx = await browser.newContext();
    const owner = await ownerCtx.newPage();
    const errors = recordErrors(owner);

    await signUpIn(owner, base, 'owner@example.com', 'Team Co');
    const monitorId = await addMonitor(owner, base, 'Shared API', 'https://example.com/health');

    await owner.goto(`${base}/settings`);
    await owner.getByRole('link', { name: 'Members' }).click();
    await owner.waitForURL(`${base}/settings/members`);
    await owner.getByLabel('Email').fill('viewer@example.com');
    await owner.getByLabel('Role', { exact: true }).selectOption('viewer');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByText('Invitation sent to viewer@example.com').waitFor();
    expect(await owner.getByTestId('invitation').textContent()).toContain('viewer@example.com');

    const mail = await smtp.waitFor('viewer@example.com');
    const link = invitePath(mail);
    expect(mail.text).toContain(`${base}${link}`);

    // A fresh browser context: no cookies from the owner.
    const viewerCtx = await browser.newContext();
    const viewer = await viewerCtx.newPage();
    recordErrors(viewer, errors);
    await viewer.goto(`${base}${link}`);
    expect(await viewer.getByRole('heading', { name: 'Join Team Co' }).count()).toBe(1);
    expect(await viewer.getByTestId('invite-role').textContent()).toBe('viewer');
    await viewer.getByLabel('Choose a password').fill('viewer password 1');
    await viewer.getByRole('button', { name: 'Create login and join' }).click();
    await viewer.waitForURL(`${base}/dashboard`);

    const row = viewer.locator(`#monitor-${monitorId}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Shared API');
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Add monitor' }).count()).toBe(0);

    await viewer.goto(`${base}/monitors/${monitorId}`);
    expect(await viewer.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    const edit = await viewer.goto(`${base}/monitors/${monitorId}/edit`);
    expect(edit!.status()).toBe(403);
    expect(await viewer.textContent('body')).toContain('Your role (viewer) cannot do this');

    // A hand-made POST with a valid CSRF token is refused by the server as well.
    await viewer.goto(`${base}/dashboard`);
    const status = await viewer.evaluate(async (id) => {
      const token = (document.querySelector('input[name="_csrf"]') as HTMLInputElement).value;
      const body = new URLSearchParams({ _csrf: token, name: 'Hijacked', url: 'https://example.com/', interval_seconds: '60' });
      const res = await fetch(`/monitors/${id}/edit`, { method: 'POST', body });
      return res.status;
    }, monitorId);
    expect(status).toBe(403);
    const m = await t.db.selectFrom('monitors').select('name').where('id', '=', monitorId).executeTakeFirstOrThrow();
    expect(m.name).toBe('Shared API');

    // The owner sees the new member and the join in the audit log.
    await owner.goto(`${base}/settings/members`);
    expect(await owner.locator('[data-email="viewer@example.com"]').textContent()).toContain('viewer');
    await owner.goto(`${base}/settings/audit`);
    expect(await owner.locator('[data-action="member.joined"]').textContent()).toContain('viewer@example.com');
    expect(errors).toEqual([]);
    await ownerCtx.close();
    await viewerCtx.close();
  });
});
