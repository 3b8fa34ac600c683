import { z } from 'zod';
import type { BrowserPool } from '../../../lib/browser-pool.ts';
import { defineCheckType } from './contract.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export type Step =
  | { op: 'goto'; url: string }
  | { op: 'click'; target: string }
  | { op: 'fill'; target: string; value: string }
  | { op: 'expect_text'; text: string }
  | { op: 'expect_url'; text: string };

export const MAX_STEPS = 30;

/**
 * Parses the declarative journey, one step per line:
 *   goto https://example.com/login
 *   fill #email = me@example.com
 *   click text=Sign in
 *   expect text Welcome back
 *   expect url /dashboard
 * Targets are CSS selectors or text=… ; nothing here runs user JavaScript on the server.
 */
export function parseSteps(source: string): Step[] {
  const steps: Step[] = [];
  const lines = source.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) throw new Error('Add at least one step, starting with goto <url>');
  if (lines.length > MAX_STEPS) throw new Error(`At most ${MAX_STEPS} steps`);
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    let m: RegExpExecArray | null;
    if ((m = /^goto\s+(\S+)$/i.exec(line))) {
      let u: URL;
      try {
        u = new URL(m[1]!);
      } catch {
        throw new Error(`Step ${n}: "${m[1]}" is not a full URL`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`Step ${n}: only http:// and https:// pages`);
      steps.push({ op: 'goto', url: u.href });
    } else if ((m = /^click\s+(.+)$/i.exec(line))) steps.push({ op: 'click', target: m[1]!.trim() });
    else if ((m = /^fill\s+(.+?)\s+=\s?(.*)$/i.exec(line))) steps.push({ op: 'fill', target: m[1]!.trim(), value: m[2]! });
    else if ((m = /^expect\s+text\s+(.+)$/i.exec(line))) steps.push({ op: 'expect_text', text: m[1]!.trim() });
    else if ((m = /^expect\s+url\s+(.+)$/i.exec(line))) steps.push({ op: 'expect_url', text: m[1]!.trim() });
    else throw new Error(`Step ${n}: "${line}" is not a step (goto, click, fill … = …, expect text, expect url)`);
  }
  if (steps[0]!.op !== 'goto') throw new Error('The first step must be goto <url>');
  return steps;
}

function describe(s: Step): string {
  switch (s.op) {
    case 'goto':
      return `goto ${s.url}`;
    case 'click':
      return `click ${s.target}`;
    case 'fill':
      return `fill ${s.target}`;
    case 'expect_text':
      return `expect text "${s.text}"`;
    case 'expect_url':
      return `expect url "${s.text}"`;
  }
}

/**
 * Runs the journey in a fresh browser context under one hard deadline. On failure the
 * result carries a PNG screenshot of the page as it was.
 */
export async function browserProbe(
  t: { steps: string; timeoutMs: number },
  opts: ProbeOptions & { browsers?: BrowserPool },
): Promise<ProbeResult & { screenshot?: Buffer }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (!opts.browsers) return { ok: false, statusCode: null, responseMs: 0, error: 'Browser checks are not enabled on this instance (BROWSER_CHECKS=1)' };
  // The browser's own traffic is guarded by its pool's proxy; a pool without the guard never runs a guarded check.
  if (opts.guard.active && !opts.browsers.guard.active) return { ok: false, statusCode: null, responseMs: 0, error: 'Blocked: the browser is not behind the network guard on this instance' };
  let steps: Step[];
  try {
    steps = parseSteps(t.steps);
  } catch (err) {
    return { ok: false, statusCode: null, responseMs: 0, error: (err as Error).message };
  }
  return opts.browsers.withContext(async (ctx) => {
    const deadline = Date.now() + t.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const page = await ctx.newPage();
    let current: Step | undefined;
    try {
      for (const step of steps) {
        current = step;
        if (step.op === 'goto') await page.goto(step.url, { timeout: left(), waitUntil: 'load' });
        else if (step.op === 'click') await page.locator(step.target).first().click({ timeout: left() });
        else if (step.op === 'fill') await page.locator(step.target).first().fill(step.value, { timeout: left() });
        else if (step.op === 'expect_text') await page.getByText(step.text).first().waitFor({ state: 'visible', timeout: left() });
        else if (step.op === 'expect_url') await page.waitForURL((u) => u.href.includes(step.text), { timeout: left() });
      }
      return { ok: true, statusCode: null, responseMs: elapsed(), error: null };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const screenshot = await page.screenshot({ type: 'png', timeout: 5000 }).catch(() => undefined);
      const why = timedOut ? 'timed out' : ((err as Error).message.split('\n')[0] ?? 'failed');
      return { ok: false, statusCode: null, responseMs: elapsed(), error: `Step "${current ? describe(current) : '?'}" failed: ${why}`, screenshot };
    }
  });
}

const settings = z.object({
  steps: z
    .string({ message: 'Add at least one step, starting with goto <url>' })
    .max(5000, 'Keep the journey under 5000 characters')
    .superRefine((v, ctx) => {
      try {
        parseSteps(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
});

const gotos = (steps: string) => parseSteps(steps).flatMap((s) => (s.op === 'goto' ? [s.url] : []));

export const browser = defineCheckType({
  type: 'browser',
  label: 'Browser journey',
  description: 'Declarative steps in headless chromium; a failure keeps a screenshot on the monitor page.',
  settings,
  fields: {
    steps: {
      label: 'Steps',
      input: 'textarea',
      placeholder: 'goto https://example.com/login\nfill #email = robot@example.com\nclick text=Sign in\nexpect text Dashboard\nexpect url /dashboard',
      help: 'One per line: goto URL · click SELECTOR · fill SELECTOR = VALUE · expect text TEXT · expect url PART. Selectors are CSS or text=…; the whole journey must finish within the timeout.',
    },
  },
  secrets: [],
  probed: true,
  target: (s) => gotos(s.steps)[0]!,
  summary: (s) => `Browser journey from ${gotos(s.steps)[0]}`,
  // Every page the journey opens, not only the first.
  hosts: (s) => gotos(s.steps).map((u) => new URL(u).hostname),
  // A browser per run costs: a self-hosted opt-in, or the Business plan.
  available(where) {
    if (where.selfHosted) return where.flags.BROWSER_CHECKS ? null : 'Browser checks are off on this instance; the administrator can turn them on with BROWSER_CHECKS=1.';
    return where.plan === 'business' ? null : 'Browser checks come with the Business plan.';
  },
  run: (s, ctx) => browserProbe({ steps: s.steps, timeoutMs: ctx.timeoutMs }, ctx),
  async afterResult(_s, result, ctx) {
    if (result.screenshot) await ctx.saveScreenshot(result.screenshot);
  },
});
