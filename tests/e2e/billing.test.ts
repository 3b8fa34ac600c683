import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserApp, executablePath, recordErrors, signUpIn, startBrowserApp } from '../helpers/browser.ts';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.ts';

describe.skipIf(!executablePath)('billing in a browser (headless chromium, stand-in Stripe)', () => {
  let fake: FakeStripe;
  let e2e: BrowserApp;

  beforeAll(async () => {
    fake = await startFakeStripe();
    e2e = await startBrowserApp(fake.env());
    fake.webhookUrl = `${e2e.base}/webhooks/stripe`;
  });

  afterAll(async () => {
    await e2e?.close();
    await fake?.close();
  });

  it('Upgrade to Pro → pay on the stand-in Checkout → back on Billing with Pro as the current plan', async () => {
    const { base, browser, t } = e2e;
    const page = await browser.newPage();
    const errors = recordErrors(page);

    await signUpIn(page, base, 'billing-e2e@example.com', 'Paying Co');

    await page.goto(`${base}/settings`);
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL(`${base}/settings/billing`);
    expect(await page.getByTestId('current-plan').textContent()).toBe('Free');

    await page.getByRole('button', { name: 'Upgrade to Pro' }).click();
    await page.waitForURL(new RegExp(`^${fake.url}/pay/cs_test_\\d+$`));
    expect(await page.getByText('Pro — $14.00 / month').count()).toBe(1);

    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(`${base}/settings/billing?checkout=success`);
    expect(await page.getByTestId('current-plan').textContent()).toBe('Pro');
    expect(await page.getByTestId('plan-pro').getByText('Current plan').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Manage billing' }).count()).toBe(1);
    expect(fake.deliveries).toEqual([
      { type: 'checkout.session.completed', status: 200 },
      { type: 'customer.subscription.created', status: 200 },
    ]);
    const account = await t.db.selectFrom('accounts').select(['plan', 'subscription_status']).executeTakeFirstOrThrow();
    expect(account).toEqual({ plan: 'pro', subscription_status: 'active' });
    expect(errors).toEqual([]);
  });
});
