import { createFetch, type FetchResponse } from 'ofetch';
import { fetch as undiciFetch, Headers as UndiciHeaders } from 'undici';
import { describeFetchError } from '../../../lib/fetch-error.ts';
import { agentFor } from '../../../lib/http-agents.ts';
import { checkAssertions, type HttpAssertions, parseStatusRanges, statusMatches } from './assertions.ts';
import { defineCheckType } from './contract.ts';
import { httpSettings, httpTarget, METHODS, secretHeaders } from './http-settings.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export interface HttpTarget {
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  expectedStatus: string;
  keyword: string | null;
  timeoutMs: number;
  /** Extra request headers (Authorization included when auth is set). */
  headers?: Record<string, string>;
  body?: string;
  followRedirects?: boolean;
  maxRedirects?: number;
  ignoreTls?: boolean;
  assertions?: HttpAssertions;
}

const MAX_REDIRECTS = 10;
const MAX_BODY_BYTES = 1024 * 1024;
const USER_AGENT = 'StatusPing/0.1 (+uptime monitor)';


const $fetch = createFetch({
  fetch: undiciFetch as unknown as typeof globalThis.fetch,
  Headers: UndiciHeaders as unknown as typeof globalThis.Headers,
  AbortController: globalThis.AbortController,
});

async function readBodyText(res: FetchResponse<unknown>, signal: AbortSignal): Promise<string> {
  const body = res.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY_BYTES) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One HTTP check. Redirects are followed by hand so every hop is re-checked against the
 * private-address guard; the timeout is a single deadline for the whole exchange.
 */
export async function httpProbe(target: HttpTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, target.timeoutMs);
  const onAbort = () => controller.abort(new Error('aborted'));
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let url = new URL(target.url);
  try {
    let method: string = target.method;
    let body = target.method === 'POST' ? target.body : undefined;
    // Credentials and custom headers go only to the origin the user named.
    const origin = url.origin;
    const maxRedirects = target.maxRedirects ?? MAX_REDIRECTS;
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === origin;
      const violation = opts.guard.urlRefusal(url);
      if (violation) return { ok: false, statusCode: null, responseMs: elapsed(), error: `Blocked: ${violation}` };
      const res = await $fetch.raw(url.href, {
        method,
        redirect: 'manual',
        ignoreResponseError: true,
        responseType: 'stream',
        retry: 0,
        signal: controller.signal,
        headers: { 'user-agent': USER_AGENT, accept: '*/*', ...(sameOrigin ? target.headers : {}) },
        body,
        dispatcher: agentFor(opts.guard, target.ignoreTls) as never,
      });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && target.followRedirects !== false) {
        res.body?.cancel().catch(() => undefined);
        if (hop >= maxRedirects) {
          return { ok: false, statusCode: res.status, responseMs: elapsed(), error: `Too many redirects (more than ${maxRedirects})` };
        }
        url = new URL(location, url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          return { ok: false, statusCode: res.status, responseMs: elapsed(), error: `Redirect to unsupported scheme ${url.protocol}` };
        }
        // Browsers turn a POST into GET on 301/302/303; match that so sites behave as for users.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const ranges = parseStatusRanges(target.expectedStatus);
      if (!statusMatches(ranges, res.status)) {
        res.body?.cancel().catch(() => undefined);
        return {
          ok: false,
          statusCode: res.status,
          responseMs: elapsed(),
          error: `Unexpected status ${res.status} (expected ${target.expectedStatus})`,
        };
      }
      const a: HttpAssertions = { ...target.assertions, keyword: target.keyword ?? target.assertions?.keyword };
      const needsBody = method !== 'HEAD' && !!(a.keyword || a.keywordAbsent || a.regex || a.jsonPath);
      const text = needsBody ? await readBodyText(res, controller.signal) : (res.body?.cancel().catch(() => undefined), '');
      const responseMs = elapsed();
      const failure = checkAssertions(a, { body: text, headers: res.headers as unknown as Headers, responseMs });
      return { ok: failure === null, statusCode: res.status, responseMs, error: failure };
    }
  } catch (err) {
    return { ok: false, statusCode: null, responseMs: elapsed(), error: describeFetchError(err, url.hostname, timedOut, target.timeoutMs) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export const http = defineCheckType({
  type: 'http',
  label: 'HTTP(S)',
  description: 'Requests a URL and checks the status code, and optionally the body, headers and response time.',
  settings: httpSettings,
  // The many request options and assertions have their own form (views/partials/monitors/types/http.eta).
  partial: 'http',
  fields: {
    url: { label: 'URL', input: 'url', required: true, placeholder: 'https://example.com/health' },
    method: { label: 'Method', input: 'select', options: METHODS },
    expected_status: { label: 'Expected status codes', input: 'text', help: 'Codes and ranges, e.g. 200-299,301.' },
    keyword: { label: 'Keyword (optional)', input: 'text', help: 'The check fails unless the response body contains this text.' },
    headers: { label: 'Request headers', input: 'textarea', help: 'One per line, as Name: value; a secret-looking header (Authorization, Cookie, *token*, *key*, *secret*, *password*…) sent back as "Name:" keeps its value. Not sent to another origin after a redirect.' },
    auth_type: { label: 'Authentication', input: 'select', options: ['none', 'basic', 'bearer'] },
    auth_user: { label: 'User (Basic)', input: 'text' },
    auth_pass: { label: 'Password (Basic)', input: 'secret', help: 'Authentication None removes it.' },
    auth_token: { label: 'Token (Bearer)', input: 'secret', help: 'Authentication None removes it.' },
    body: { label: 'Request body (POST)', input: 'textarea' },
    follow_redirects: { label: 'Follow redirects', input: 'checkbox' },
    max_redirects: { label: 'Max redirects', input: 'number', min: 0, max: 20 },
    ignore_tls: { label: 'Ignore TLS errors (insecure)', input: 'checkbox' },
    keyword_absent: { label: 'Keyword must be absent', input: 'text', help: 'Fails if the body contains this, e.g. "maintenance".' },
    regex: { label: 'Regular expression', input: 'text', help: 'Must match the body; stopped after 50 ms.' },
    json_path: { label: 'JSON path', input: 'text', help: 'e.g. $.status' },
    json_op: { label: 'JSON test', input: 'select', options: ['equals', 'contains'] },
    json_expected: { label: 'JSON value', input: 'text', help: 'e.g. "ok" or 3' },
    header_name: { label: 'Response header', input: 'text' },
    header_value: { label: 'Header value', input: 'text', help: 'Empty = just present.' },
    max_response_ms: { label: 'Fail above (ms)', input: 'number', min: 1, max: 60_000 },
  },
  secrets: ['auth_pass', 'auth_token'],
  partlySecret: { headers: secretHeaders },
  probed: true,
  target: (s) => s.url,
  hosts: (s) => [new URL(s.url).hostname],
  run: (s, ctx) => httpProbe(httpTarget(s, ctx.timeoutMs), ctx),
});
