import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertContext, deliveryDeps } from '../../src/runtime/context.ts';
import { domainEvents } from '../../src/runtime/events.ts';
import { signStandardWebhook } from '../../src/domain/alerts/channels/webhook.ts';
import { startWorker, type Worker } from '../../src/worker/worker.ts';
import { addMonitor, type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { startTarget, type Target } from '../helpers/target.ts';
import { OPEN_GUARD } from '../helpers/fixtures.ts';

describe.skipIf(!executablePath)('browser journey (headless chromium)', () => {
  let target: Target;
  let worker: Worker;
  let e2e: BrowserApp;

  beforeAll(async () => {
    target = await startTarget();
    target.healthy = false;
    e2e = await startBrowserApp({ ALLOW_SIGNUP: '1' });
    const rt = e2e.runtime;
    worker = await startWorker({ ...rt, probe: { guard: OPEN_GUARD }, concurrency: 10, reconcileMs: 200, alerts: alertContext(rt), events: domainEvents({ baseUrl: rt.config.baseUrl }), delivery: deliveryDeps(rt), dispatchPollMs: 200 });
  });

  afterAll(async () => {
    await worker?.stop(1000);
    await e2e?.close();
    await target?.close();
  });

  it('sign up → add a monitor → it turns up on the dashboard without a reload → public page and JSON', async () => {
    const { base, browser, t } = e2e;
    const page = await browser.newPage();
    const errors = recordErrors(page);

    await signUpIn(page, base, 'e2e@example.com', 'E2E Widgets');
    await page.getByText('No monitors yet').waitFor();

    const monitorId = await addMonitor(page, base, 'Local target', `${target.url}/flip`);

    // The first check fails (target unhealthy): one failure is below the threshold, so still pending.
    await page.goto(`${base}/dashboard`);
    const row = page.locator(`#monitor-${monitorId}`);
    await row.waitFor();
    await page.waitForFunction((id) => document.querySelector(`#monitor-${id}`)?.textContent?.includes('retrying'), monitorId, { timeout: 15_000 });
    expect(await row.getAttribute('data-status')).toBe('pending');
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });

    target.healthy = true;
    await row.getByRole('button', { name: 'Check now' }).click(); // htmx: swaps only the row
    await page.waitForFunction((id) => document.querySelector(`#monitor-${id}`)?.getAttribute('data-status') === 'up', monitorId, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await row.getByTestId('status').textContent()).toBe('Up');

    const slug = (await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    await page.goto(`${base}/s/${slug}`);
    expect(await page.getByTestId('overall').textContent()).toContain('All systems operational');
    expect(await page.getByText('Local target').count()).toBe(1);

    const api = await page.goto(`${base}/s/${slug}/api`);
    const json = await api!.json();
    expect(json.status).toBe('operational');
    expect(json.monitors[0]).toMatchObject({ id: monitorId, name: 'Local target', status: 'up' });
    // At least the failing check and the passing one; a slow machine may have run one more
    // scheduled check meanwhile, so the expected figure comes from what was stored.
    const results = await t.db.selectFrom('check_results').select('ok').where('monitor_id', '=', monitorId).execute();
    const passed = results.filter((r) => r.ok === 1).length;
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(passed).toBeLessThan(results.length);
    expect(json.monitors[0].uptime['24h']).toBe(Math.round((passed / results.length) * 10_000) / 100);
    expect(errors).toEqual([]);
  });

  it('create a webhook channel, attach it to a monitor, take the target down, see the delivery in the log', async () => {
    const { base, browser, t } = e2e;
    const rx = await startReceiver();
    const page = await browser.newPage();
    try {
      await signUpIn(page, base, 'alerts@example.com', 'Alerting Co');

      await page.goto(`${base}/settings/alerts`);
      await page.getByLabel('Type').selectOption('webhook'); // htmx swaps in the URL field
      await page.getByLabel('URL').waitFor();
      await page.getByLabel('Name').fill('Ops webhook');
      await page.getByLabel('URL').fill(`${rx.url}/hook`);
      await page.getByLabel('Use for new monitors').check();
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByTestId('webhook-secret').waitFor();
      expect(await page.getByTestId('webhook-secret').textContent()).toMatch(/^whsec_/);

      await page.getByRole('button', { name: 'Send test' }).click(); // result shown inline
      await page.getByTestId('test-result').waitFor();
      expect(await page.getByTestId('test-result').textContent()).toContain('Test delivered');

      target.healthy = false;
      await page.goto(`${base}/monitors/new`);
      await page.getByLabel('Name').fill('Flaky service');
      await page.getByLabel('URL').fill(`${target.url}/flip`);
      await page.getByLabel('Interval').fill('3600');
      await page.getByLabel('Failure threshold').fill('1');
      expect(await page.getByLabel('Ops webhook').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Add monitor' }).click();
      await page.waitForURL(/\/monitors\/\d+$/);

      const channelId = (await t.db.selectFrom('alert_channels').select('id').where('name', '=', 'Ops webhook').executeTakeFirstOrThrow()).id;
      const until = Date.now() + 20_000;
      let logText = '';
      while (Date.now() < until) {
        await page.goto(`${base}/settings/alerts/${channelId}`);
        logText = (await page.locator('body').textContent()) ?? '';
        if (/down\s*Flaky service/.test(logText)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(logText).toMatch(/down\s*Flaky service\s*1\s*delivered/);
      expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['monitor.test', 'monitor.down']);
    } finally {
      target.healthy = true;
      await page.close();
      await rx.close();
    }
  });

  it('edit a webhook channel: a new URL replaces the old, the secret stays, Send test reaches the new receiver', async () => {
    const { base, browser } = e2e;
    const [oldRx, newRx] = [await startReceiver(), await startReceiver()];
    const page = await browser.newPage();
    const errors = recordErrors(page);
    try {
      await signUpIn(page, base, 'edit-channel@example.com', 'Editing Co');
      await page.goto(`${base}/settings/alerts`);
      await page.getByLabel('Type').selectOption('webhook');
      await page.getByLabel('URL').waitFor();
      await page.getByLabel('Name').fill('Deploy hook');
      await page.getByLabel('URL').fill(`${oldRx.url}/old?token=abc`);
      await page.getByRole('button', { name: 'Add channel' }).click();
      const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();

      await page.getByRole('link', { name: 'Edit' }).click();
      await page.waitForURL(/\/settings\/alerts\/\d+\/edit$/);
      expect(await page.getByLabel('Name').inputValue()).toBe('Deploy hook');
      expect(await page.getByLabel('URL').inputValue()).toBe('');
      expect(await page.content()).not.toContain('token=abc');
      await page.getByLabel('Name').fill('Deploy hook (moved)');
      await page.getByLabel('URL').fill(`${newRx.url}/new`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.waitForURL(/\/settings\/alerts\/\d+\?saved=1$/);
      expect(await page.locator('h1').textContent()).toBe('Deploy hook (moved)');

      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByTestId('test-result').waitFor();
      expect(await page.getByTestId('test-result').textContent()).toContain('Test delivered');
      expect(oldRx.received).toEqual([]);
      expect(newRx.received).toHaveLength(1);
      const got = newRx.received[0]!;
      expect(got.path).toBe('/new');
      expect(JSON.parse(got.body).type).toBe('monitor.test');
      // Signed with the secret shown at creation: receivers need no change after an edit.
      const signature = signStandardWebhook(secret, String(got.headers['webhook-id']), Number(got.headers['webhook-timestamp']), got.body);
      expect(got.headers['webhook-signature']).toBe(signature);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await oldRx.close();
      await newRx.close();
    }
  });

  it('a custom webhook: the template is previewed in place, a template error shows on its field, Send test delivers the body', async () => {
    const { base, browser } = e2e;
    const rx = await startReceiver();
    const page = await browser.newPage();
    const errors = recordErrors(page);
    try {
      await signUpIn(page, base, 'custom-hook@example.com', 'Templating Co');
      await page.goto(`${base}/settings/alerts`);
      await page.getByLabel('Type').selectOption('custom_webhook'); // htmx swaps in URL, content type and template
      await page.getByLabel('Body template').waitFor();
      await page.getByLabel('Name').fill('Home automation');
      await page.getByLabel('URL').fill(`${rx.url}/in`);
      await page.getByLabel('Body template').fill('{"who": "{{monitor.name}}", "what": "{{event}}"}');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByTestId('channel-preview').waitFor();
      expect(await page.getByTestId('channel-preview').textContent()).toContain('{"who": "Checkout \\"API\\"", "what": "down"}');

      await page.getByLabel('Body template').fill('{"who": "{{monitor.nmae}}"}');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.locator('#e-template').waitFor();
      expect(await page.locator('#e-template').textContent()).toContain('Unknown variable {{monitor.nmae}}');

      await page.getByLabel('Body template').fill('{"who": "{{monitor.name}}", "what": "{{event}}"}');
      await page.getByRole('button', { name: 'Add channel' }).click();
      await page.getByText('Channel "Home automation" created.').waitFor();
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByTestId('test-result').waitFor();
      expect(await page.getByTestId('test-result').textContent()).toContain('Test delivered');
      expect(JSON.parse(rx.received[0]!.body)).toEqual({ who: 'Home automation', what: 'test' });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await rx.close();
    }
  });

  it('the Copy button puts a heartbeat’s push URL on the clipboard', async () => {
    const { base, browser } = e2e;
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    const errors = recordErrors(page);
    try {
      await signUpIn(page, base, 'copy@example.com', 'Copy Co');
      await page.goto(`${base}/monitors/new`);
      await page.getByLabel('Type').selectOption('heartbeat');
      await page.getByLabel('Grace period (seconds)').waitFor();
      expect(await page.getByLabel('Timeout').count()).toBe(0);
      await page.getByLabel('Name').fill('Nightly job');
      await page.getByLabel('Interval').fill('3600');
      await page.getByRole('button', { name: 'Add monitor' }).click();
      await page.waitForURL(/\/monitors\/\d+$/);
      const url = (await page.getByTestId('push-url').textContent())!.trim();
      expect(url).toMatch(new RegExp(`^${base}/push/[\\w-]{20,}$`));
      const copy = page.getByRole('button', { name: 'Copy the push URL' });
      await copy.click();
      await page.waitForFunction(() => document.querySelector('button[data-copy]')?.textContent === 'Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works without JavaScript: the no-JS form fallback adds a monitor', async () => {
    const { base, browser } = e2e;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signUpIn(page, base, 'nojs@example.com', 'No Script Ltd');
    await page.goto(`${base}/monitors/new`);
    await page.getByLabel('Name').fill('No-JS monitor');
    await page.getByLabel('URL').fill(`${target.url}/ok`);
    await page.getByLabel('Interval').fill('5');
    await page.getByRole('button', { name: 'Add monitor' }).click();
    await page.getByText('allows intervals of 10 seconds or more').first().waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('No-JS monitor');
    await page.getByLabel('Interval').fill('60');
    expect(await page.locator('nav[aria-label="Main"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Add monitor' }).click();
    await page.waitForURL(/\/monitors\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe('No-JS monitor');
    await context.close();
  });
});
