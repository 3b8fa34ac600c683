import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { Semaphore } from './semaphore.ts';

/**
 * One headless Debian chromium shared by browser checks, started on first use; every run
 * gets a fresh context (no cookies or storage carried over) and at most `max` run at once.
 */
export class BrowserPool {
  private browser: Promise<Browser> | undefined;
  private readonly limiter: Semaphore;

  constructor(
    private readonly executablePath: string,
    max = 2,
  ) {
    this.limiter = new Semaphore(max);
  }

  async withContext<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
    return this.limiter.run(async () => {
      this.browser ??= chromium.launch({
        executablePath: this.executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      });
      let browser: Browser;
      try {
        browser = await this.browser;
      } catch (err) {
        this.browser = undefined;
        throw err;
      }
      const ctx = await browser.newContext({ acceptDownloads: false, serviceWorkers: 'block' });
      try {
        return await fn(ctx);
      } finally {
        await ctx.close().catch(() => undefined);
      }
    });
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close().catch(() => undefined);
  }
}
