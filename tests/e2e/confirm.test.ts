import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonitor, type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';

describe.skipIf(!executablePath)('destructive actions ask first, with and without JavaScript (headless chromium)', () => {
  let e2e: BrowserApp;
  beforeAll(async () => {
    e2e = await startBrowserApp();
  });
  afterAll(async () => {
    await e2e?.close();
  });
  const exists = async (id: number) => !!(await e2e.t.db.selectFrom('monitors').select('id').where('id', '=', id).executeTakeFirst());

  it('with JavaScript: the dialog is answered, then the row goes and the monitor is deleted; dismissing keeps it', async () => {
    const ctx = await e2e.browser.newContext();
    const page = await ctx.newPage();
    const errors = recordErrors(page);
    await signUpIn(page, e2e.base, 'js@example.com', 'JS Co');
    const id = await addMonitor(page, e2e.base, 'Doomed', 'https://example.com/');
    await page.goto(`${e2e.base}/dashboard`);
    const row = page.locator(`#monitor-${id}`);
    await row.waitFor();

    page.once('dialog', (d) => void d.dismiss());
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.waitForTimeout(300);
    expect(await exists(id)).toBe(true);

    const messages: string[] = [];
    page.once('dialog', (d) => {
      messages.push(d.message());
      void d.accept();
    });
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect(messages).toEqual(['Delete Doomed and its history?']);
    expect(page.url()).toBe(`${e2e.base}/dashboard`);
    expect(await exists(id)).toBe(false);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('without JavaScript: a confirmation page; Cancel keeps the monitor, the page button deletes it; pause returns to the dashboard', async () => {
    const ctx = await e2e.browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    // Sign-up is closed after the first user (self-hosted default): log in as that user.
    await page.goto(`${e2e.base}/login`);
    await page.getByLabel('Email').fill('js@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${e2e.base}/dashboard`);
    const id = await addMonitor(page, e2e.base, 'Fragile', 'https://example.com/');
    await page.goto(`${e2e.base}/dashboard`);
    const row = page.locator(`#monitor-${id}`);

    await row.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${e2e.base}/dashboard`);
    expect(await page.locator(`#monitor-${id}`).getAttribute('data-status')).toBe('paused');

    await page.locator(`#monitor-${id}`).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Delete monitor "Fragile"?' }).waitFor();
    expect(await exists(id)).toBe(true);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`${e2e.base}/dashboard`);
    expect(await exists(id)).toBe(true);

    await page.locator(`#monitor-${id}`).getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('confirm').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${e2e.base}/dashboard`);
    expect(await exists(id)).toBe(false);
    await ctx.close();
  });
});
