import type { APIRequestContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';

// Long words without spaces are what push a page wider than a phone: names, addresses, URLs.
const ORG = 'Intergalactic Widgets & Gadgets International Holdings (EMEA) Ltd';
const OWNER = 'first.lastname.with.a.long.address@engineering.intergalactic-widgets.example.com';
const LONG_URL = 'https://api.intergalactic-widgets.example.com/v1/health/checks/primary-cluster?region=eu-west-1&include=dependencies';
const PHONE = { width: 390, height: 844 };

/** Posts a form with the page's CSRF token and the browser's cookies. */
async function postForm(request: APIRequestContext, base: string, csrf: string, path: string, form: Record<string, string>): Promise<void> {
  const res = await request.post(`${base}${path}`, { form: { _csrf: csrf, ...form }, maxRedirects: 0 });
  if (res.status() >= 400) throw new Error(`${path}: ${res.status()} ${(await res.text()).slice(0, 300)}`);
}

/** How wide the document is, and the innermost elements that stick out past the viewport (for the failure message). */
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    // An element inside a box that scrolls or clips sideways does not widen the page by itself.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const out = Array.from(document.body.querySelectorAll('*')).filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el));
    const innermost = out.filter((el) => !out.some((o) => o !== el && el.contains(o)));
    const culprits = innermost.slice(0, 3).map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">${(el.textContent ?? '').trim().slice(0, 30)}`);
    return `${document.documentElement.scrollWidth} px wide: ${culprits.join(', ') || 'an absolutely positioned element'}`;
  });
}

/** Every path that scrolls sideways, with why. */
async function wideOnes(page: Page, base: string, paths: string[]): Promise<string[]> {
  const wide: string[] = [];
  for (const path of paths) {
    const res = await page.goto(`${base}${path}`);
    expect(res!.status(), path).toBe(200);
    const why = await overflow(page);
    if (why) wide.push(`${path}: ${why}`);
  }
  return wide;
}

describe.skipIf(!executablePath)('layout on a 390 px phone and a 1280 px desktop (headless chromium)', () => {
  let e2e: BrowserApp;

  beforeAll(async () => {
    e2e = await startBrowserApp({ ALLOW_SIGNUP: '1' });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('no dashboard or public page scrolls sideways at 390 px with long names, tables with rows and secrets shown once', async () => {
    const { base, browser, t } = e2e;
    const ctx = await browser.newContext({ viewport: PHONE });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await ctx.newPage();
    const errors = recordErrors(page);
    await signUpIn(page, base, OWNER, ORG);
    const csrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    const post = (path: string, form: Record<string, string>) => postForm(page.request, base, csrf, path, form);

    // Content: monitors with long names and URLs and check results, a heartbeat, a member and an
    // invitation, subscribers, a published incident, maintenance, a long manual component.
    await post('/monitors', { type: 'http', name: 'Production payments API (EU West primary cluster behind the load balancer)', url: LONG_URL, method: 'GET', expected_status: '200-399', timeout_seconds: '10', interval_seconds: '3600', failure_threshold: '3', retries: '1', is_public: 'true' });
    await post('/monitors', { type: 'heartbeat', name: 'Nightly database backup to the offsite object storage bucket', interval_seconds: '3600', failure_threshold: '1', is_public: 'true' });
    const monitors = await t.db.selectFrom('monitors').select(['id', 'type']).orderBy('id').execute();
    const httpId = monitors.find((m) => m.type === 'http')!.id;
    const heartbeatId = monitors.find((m) => m.type === 'heartbeat')!.id;
    const now = Date.now();
    await t.db.insertInto('check_results').values(Array.from({ length: 20 }, (_, i) => ({
      monitor_id: httpId, checked_at: now - (20 - i) * 60_000, ok: i % 5 === 0 ? 0 : 1, status_code: i % 5 === 0 ? 503 : 200,
      response_ms: 120 + i, error: i % 5 === 0 ? `Expected status 200-399, got 503 from ${LONG_URL}` : null,
    }))).execute();
    await t.db.updateTable('monitors').set({ status: 'up', last_checked_at: now - 60_000, last_ok: 1, last_status_code: 200, last_response_ms: 139 }).where('id', '=', httpId).execute();
    await post('/settings/members/invite', { email: 'new.colleague.with.a.long.name@operations.intergalactic-widgets.example.com', role: 'member' });
    const account = await t.db.selectFrom('accounts').select('id').executeTakeFirstOrThrow();
    const member = await t.db.insertInto('users').values({ email: 'second.engineer.long.address@platform.intergalactic-widgets.example.com', password_hash: 'x', is_admin: 0, created_at: now, password_changed_at: now, email_verified_at: now, last_seen_at: null }).returning('id').executeTakeFirstOrThrow();
    await t.db.insertInto('memberships').values({ account_id: account.id, user_id: member.id, role: 'member', created_at: now }).execute();
    const sp = await t.db.selectFrom('status_pages').select(['id', 'slug']).executeTakeFirstOrThrow();
    await t.db.insertInto('subscribers').values([
      { page_id: sp.id, kind: 'email', address: 'customer.with.a.very.long.address@subsidiary.faraway-customer.example.com', component_ids: null, token: 'tok-phone-1', confirmed_at: now, created_at: now, secret: null },
      { page_id: sp.id, kind: 'webhook', address: `${LONG_URL}&subscriber=customer-integration`, component_ids: null, token: 'tok-phone-2', confirmed_at: null, created_at: now, secret: 'whsec_x' },
    ]).execute();
    await post(`/pages/${sp.id}/components/manual`, { name: 'Card-payments-acquiring-bank-connectivity-EMEA', status: 'degraded' });
    await post(`/pages/${sp.id}/incidents`, { title: 'Elevated error rates on card payments through the European acquiring bank', state: 'investigating', message: `We are investigating. Details: ${LONG_URL}`, publish: 'now' });
    const postId = (await t.db.selectFrom('page_incidents').select('id').executeTakeFirstOrThrow()).id;
    await post('/maintenance', { title: 'Quarterly database engine upgrade of the primary cluster', type: 'recurring', timezone: 'America/Argentina/ComodRivadavia', cron: '0 3 * * SUN', duration_minutes: '60', [`monitor_${httpId}`]: 'on' });

    // Secrets shown once, created through the real forms: the page fits and Copy copies.
    await page.goto(`${base}/settings/api-keys`);
    await page.getByLabel('Name').fill('Terraform deployment pipeline for the production infrastructure');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('api-key-secret').textContent())!.trim();
    expect(key).toMatch(/^sp_live_/);
    expect(await overflow(page)).toBeNull();
    await page.getByRole('button', { name: 'Copy the key' }).click();
    await page.waitForFunction(() => document.querySelector('button[data-copy="api-key-secret"]')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    await page.goto(`${base}/settings/alerts?kind=webhook`);
    await page.getByLabel('Name').fill('On-call engineering escalation webhook for the payments team');
    await page.getByLabel('URL').fill(`${LONG_URL}&token=abcdefghijklmnopqrstuvwxyz0123456789`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();
    expect(await overflow(page)).toBeNull();
    await page.getByRole('button', { name: 'Copy the signing secret' }).click();
    await page.waitForFunction(() => document.querySelector('button[data-copy="webhook-secret"]')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const channelId = (await t.db.selectFrom('alert_channels').select('id').executeTakeFirstOrThrow()).id;

    expect(await wideOnes(page, base, [
      '/dashboard', '/monitors/new', `/monitors/${httpId}`, `/monitors/${httpId}/edit`, `/monitors/${httpId}/sla`, `/monitors/${heartbeatId}`,
      '/pages', `/pages/${sp.id}`, `/pages/${sp.id}/incidents`, `/pages/${sp.id}/incidents/new`, `/pages/${sp.id}/incidents/${postId}`,
      `/pages/${sp.id}/maintenance/new`, `/pages/${sp.id}/subscribers`, `/pages/${sp.id}/sla`, `/pages/${sp.id}/delete`, '/incident-templates',
      '/settings/alerts', `/settings/alerts/${channelId}`, `/settings/alerts/${channelId}/edit`, '/maintenance',
      '/settings', '/settings/members', '/settings/audit', '/settings/api-keys', '/admin', '/docs/api',
      `/s/${sp.slug}`, `/s/${sp.slug}/history`, `/s/${sp.slug}/incidents/${postId}`, `/s/${sp.slug}/subscribe`,
    ])).toEqual([]);

    // The dashboard's row buttons stay on screen, and the heartbeat's curl example wraps in its box.
    await page.goto(`${base}/dashboard`);
    for (const name of ['Check now', 'Pause', 'Delete']) {
      const box = (await page.locator(`#monitor-${httpId}`).getByRole('button', { name }).boundingBox())!;
      expect(box.x + box.width, name).toBeLessThanOrEqual(PHONE.width);
    }
    await page.goto(`${base}/monitors/${heartbeatId}`);
    const example = page.getByTestId('push-example');
    expect(await example.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await example.textContent()).toContain('/fail');
    await page.getByRole('button', { name: 'Copy the example' }).waitFor();

    // Logged out: the sign-in pages and the public page.
    const visitor = await browser.newPage({ viewport: PHONE });
    recordErrors(visitor, errors);
    expect(await wideOnes(visitor, base, ['/login', '/signup', '/forgot-password', `/s/${sp.slug}`, '/docs/api'])).toEqual([]);
    await visitor.close();
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('at 1280 px a long organization name is cut short in the one-line top bar, in full in its title', async () => {
    const { base, browser } = e2e;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const email = 'desktop.person.with.a.long.address@intergalactic-widgets.example.com';
    await signUpIn(page, base, email, ORG);
    // As an instance admin, the bar also has its longest set of links.
    await e2e.t.db.updateTable('users').set({ is_admin: 1 }).where('email', '=', email).execute();
    await page.reload();
    await page.getByRole('link', { name: 'Admin' }).waitFor();
    const centres = await page.locator('nav[aria-label="Main"] > *').evaluateAll((els) =>
      els.map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => r.top + r.height / 2));
    expect(centres.length).toBeGreaterThan(8);
    expect(Math.max(...centres) - Math.min(...centres)).toBeLessThan(2);
    const org = page.getByTestId('org-name');
    expect(await org.getAttribute('title')).toBe(ORG);
    expect(await org.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

    // The accent colour picker is a box that shows the colour, not a thin line.
    const sp = await e2e.t.db.selectFrom('status_pages').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await page.goto(`${base}/pages/${sp.id}`);
    const picker = (await page.getByLabel('Accent colour').boundingBox())!;
    expect(picker.height).toBeGreaterThanOrEqual(30);
    expect(picker.width).toBeGreaterThanOrEqual(60);
    await page.close();
  });
});
