import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonitor, type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';
import { componentFor } from '../helpers/posts.ts';

describe.skipIf(!executablePath)('incident posts in a browser (headless chromium)', () => {
  let e2e: BrowserApp;

  beforeAll(async () => {
    e2e = await startBrowserApp({ ALLOW_SIGNUP: '1' });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  /** Reloads a public page (cached for 10 s) until `ready` holds in it. */
  async function until(p: Page, url: string, ready: () => boolean) {
    for (let i = 0; i < 30; i++) {
      await p.goto(url);
      if (await p.evaluate(ready)) return;
      await p.waitForTimeout(1000);
    }
    throw new Error(`${url} never became ready`);
  }

  it('draft → publish → two updates → resolved, and the public page and the incident page follow', async () => {
    const { base, browser, t } = e2e;
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await signUpIn(page, base, 'posts@example.com', 'Posting Co');
    const monitorId = await addMonitor(page, base, 'Checkout', 'http://127.0.0.1:9/');
    const sp = await t.db.selectFrom('status_pages').select(['id', 'slug']).executeTakeFirstOrThrow();
    const componentId = await componentFor(t.db, sp.id, monitorId);

    await page.goto(`${base}/incidents`);
    await page.waitForURL(`${base}/pages/${sp.id}/incidents`);
    await page.getByRole('link', { name: 'New incident' }).click();
    await page.getByLabel('Title').fill('Checkout errors');
    await page.getByLabel('Checkout').selectOption('partial_outage');
    await page.getByLabel('Message').fill('We are looking into **failed payments**.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const postId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByText('Draft — not public').waitFor();
    expect((await page.request.get(`${base}/s/${sp.slug}/incidents/${postId}`)).status()).toBe(404);

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.getByRole('link', { name: 'Public incident page ↗' }).waitFor();
    const pub = await browser.newPage();
    await pub.goto(`${base}/s/${sp.slug}`);
    const active = pub.getByTestId('active-incident');
    expect(await active.getByRole('link').textContent()).toBe('Checkout errors');
    expect(await active.locator('strong').textContent()).toBe('failed payments');
    expect(await active.textContent()).toContain('Checkout: Partial outage');

    for (const [state, message] of [['identified', 'A bad card processor deploy.'], ['monitoring', 'Rolled back; *watching*.']] as const) {
      await page.getByLabel('State').selectOption(state);
      await page.getByLabel('Message').fill(message);
      await page.getByRole('button', { name: 'Post update' }).click();
      await page.getByTestId('timeline').getByText(message.replace(/\*/g, '')).waitFor();
    }
    await page.getByLabel('State').selectOption('resolved');
    await page.getByLabel('Message').fill('All payments go through again.');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.getByTestId('post-state').getByText('Resolved').waitFor();
    await page.getByLabel(/What happened/).fill('## Cause\nA deploy without a canary.');
    await page.getByRole('button', { name: 'Save post-mortem' }).click();
    await page.getByText('Save post-mortem').waitFor();

    // The public answers are cached for 10 s; wait for the incident to move to the past.
    await until(pub, `${base}/s/${sp.slug}/incidents/${postId}`, () => document.querySelectorAll('[data-testid="update"]').length === 4);
    expect(await pub.getByTestId('incident-state').textContent()).toBe('Resolved');
    expect(await pub.getByTestId('postmortem').locator('h4').textContent()).toBe('Cause');
    expect(await pub.getByTestId('timeline').locator('em').textContent()).toBe('watching');
    await until(pub, `${base}/s/${sp.slug}`, () => !document.querySelector('[data-testid="active-incident"]'));
    expect(await pub.getByTestId('past-incidents').textContent()).toContain('All payments go through again.');

    // The feeds parse as XML in the browser and link to the incident page.
    for (const feed of ['feed.atom', 'feed.rss']) {
      const xml = await (await pub.request.get(`${base}/s/${sp.slug}/${feed}`)).text();
      const parsed = await pub.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return { error: doc.getElementsByTagName('parsererror').length, links: doc.documentElement.outerHTML.includes('/incidents/') };
      }, xml);
      expect(parsed).toEqual({ error: 0, links: true });
    }
    expect(componentId).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 90_000);
});
