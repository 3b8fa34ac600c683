import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { policyFrom, type Runtime, webDeps } from '../../src/runtime/context.ts';
import { createApp } from '../../src/web/app.ts';
import { openTestDb, type TestDb } from './db.ts';
import { chromiumPath } from './env.ts';

/** Debian's chromium (or CHROMIUM_PATH); end-to-end files skip themselves when there is none. */
export const executablePath = chromiumPath();

export interface BrowserApp {
  t: TestDb;
  /** The app's own URL, e.g. http://127.0.0.1:41234 (also its BASE_URL). */
  base: string;
  runtime: Runtime;
  browser: Browser;
  /** Closes the browser, the server and the database. */
  close(): Promise<void>;
}

/**
 * The real app over a fresh SQLite database, served on a free local port, and a headless chromium.
 * `env` adds configuration; BASE_URL is the served URL (links in mails, Checkout's return URL),
 * which is only known once the port is bound, so the app is built after listening.
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  const t = await openTestDb('sqlite');
  let fetch: (req: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server = serve({ fetch: (req) => fetch(req), port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.url, BASE_URL: base, SESSION_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-secret', ...env });
  const runtime: Runtime = { config, db: t.db, clock: systemClock, logger: silentLogger, policy: policyFrom(config) };
  const app = createApp(await webDeps(runtime));
  fetch = (req) => app.fetch(req);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    t,
    base,
    runtime,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
      await t.close();
    },
  };
}

/** Collects the page's uncaught script errors into `errors` (asserted empty at the end of a test). */
export function recordErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Signs up through the real form and waits for the dashboard. */
export async function signUpIn(page: Page, base: string, email: string, organization: string): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByLabel('Organization').fill(organization);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${base}/dashboard`);
}

/** Adds an HTTP monitor through the form (interval one hour) and returns its id. */
export async function addMonitor(page: Page, base: string, name: string, url: string): Promise<number> {
  await page.goto(`${base}/monitors/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Interval').fill('3600');
  await page.getByRole('button', { name: 'Add monitor' }).click();
  await page.waitForURL(/\/monitors\/\d+$/);
  return Number(new URL(page.url()).pathname.split('/').pop());
}
