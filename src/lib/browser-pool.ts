import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { GuardProxy } from './guard-proxy.ts';
import { type NetGuard, OPEN_GUARD } from './net-guard.ts';
import { Semaphore } from './semaphore.ts';

const BASE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/**
 * With the guard on, chromium reaches the network only through our proxy: every scheme
 * proxied, loopback not bypassed (`<-loopback>` removes chromium's implicit bypass), no name
 * resolution of its own (so no DNS prefetch or rebinding of its own lookups), and no UDP
 * outside the proxy (WebRTC).
 */
function guardedArgs(proxy: string): string[] {
  return [
    `--proxy-server=${proxy}`,
    '--proxy-bypass-list=<-loopback>',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    '--dns-prefetch-disable',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  ];
}

/**
 * One headless Debian chromium shared by browser checks, started on first use; every run
 * gets a fresh context (no cookies or storage carried over) and at most `max` run at once.
 */
export class BrowserPool {
  private browser: Promise<Browser> | undefined;
  private proxy: GuardProxy | undefined;
  private readonly limiter: Semaphore;

  constructor(
    private readonly executablePath: string,
    max = 2,
    /** Every request of the browser goes through this guard (through a proxy of ours) when it is active. */
    readonly guard: NetGuard = OPEN_GUARD,
  ) {
    this.limiter = new Semaphore(max);
  }

  private async launch(): Promise<Browser> {
    let args = BASE_ARGS;
    if (this.guard.active) {
      this.proxy ??= new GuardProxy(this.guard);
      args = [...BASE_ARGS, ...guardedArgs(await this.proxy.start())];
    }
    return chromium.launch({ executablePath: this.executablePath, headless: true, args });
  }

  async withContext<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
    return this.limiter.run(async () => {
      this.browser ??= this.launch();
      let browser: Browser;
      try {
        browser = await this.browser;
      } catch (err) {
        this.browser = undefined;
        await this.closeProxy();
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
    await this.closeProxy();
  }

  private async closeProxy(): Promise<void> {
    const p = this.proxy;
    this.proxy = undefined;
    await p?.close().catch(() => undefined);
  }
}
