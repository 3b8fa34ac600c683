import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../lib/errors.ts';

const KB = 1024;

/**
 * Enough for every form and API body of the app: the longest text fields (a 10,000-character
 * request body, a 5,000-character journey) fit even URL-encoded.
 */
export const DEFAULT_BODY_LIMIT = 64 * KB;

/**
 * Routes that need another budget, first match wins. Public forms of a status page are a few
 * short fields; the rest need room for what they accept.
 */
const BUDGETS: ReadonlyArray<readonly [RegExp, number]> = [
  // Subscribe (an address and component checkboxes), unlock (a password), confirm, unsubscribe.
  [/^\/s\/[^/]+\/[^/]+/, 16 * KB],
  // Logo and favicon: room for a 256 KB image as multipart, so a slightly larger one still gets a form error.
  [/^\/pages\/\d+\/assets\/(?:logo|favicon)$/, 1024 * KB],
  // Incident and maintenance posts (forms and API) and their templates: messages of 20,000
  // and post-mortems of 50,000 characters, up to 9 bytes each when URL-encoded.
  [/^(?:\/api\/v1)?\/pages\/\d+\/(?:incidents|maintenance)(?:\/|$)|^\/incident-templates(?:\/|$)/, 512 * KB],
  // Heartbeat pings: a job may POST its log; the first 1 KB becomes the message. 100 KB (as
  // healthchecks allows) so a chatty job still checks in, yet nothing unbounded is read.
  [/^\/push\//, 100 * KB],
  // Stripe's events are a few KB; a large invoice with many lines stays well below this.
  [/^\/webhooks\/stripe$/, 512 * KB],
];

export function bodyBudget(path: string): number {
  return BUDGETS.find(([re]) => re.test(path))?.[1] ?? DEFAULT_BODY_LIMIT;
}

export class PayloadTooLargeError extends AppError {
  constructor(readonly maxBytes: number) {
    const size = maxBytes % (1024 * KB) === 0 ? `${maxBytes / 1024 / KB} MB` : `${maxBytes / KB} KB`;
    super('payload_too_large', `The request body is larger than ${size}`, 413);
  }
}

const limiters = new Map<number, MiddlewareHandler>();
function limiterFor(maxSize: number): MiddlewareHandler {
  let l = limiters.get(maxSize);
  if (!l) {
    // Thrown, so the app's one error handler words it for the path (JSON, fragment or page).
    l = bodyLimit({ maxSize, onError: () => { throw new PayloadTooLargeError(maxSize); } });
    limiters.set(maxSize, l);
  }
  return l;
}

/**
 * One limit for every request body, before anything reads one (CSRF, form parsing, routes).
 * Hono's bodyLimit refuses a Content-Length over the budget without reading, and counts a
 * chunked body as it streams in, answering 413 as soon as the count passes the budget (the
 * rest is never buffered; the server drains briefly, then closes the connection).
 */
export const limitBodies: MiddlewareHandler = (c, next) => limiterFor(bodyBudget(c.req.path))(c, next);
