import type { Context } from 'hono';
import { AppError, RateLimitError } from '../lib/errors.ts';
import type { AppEnv } from './deps.ts';
import { html, isHtmx } from './render.ts';

/** The AppError to show in a form, or a rethrow for anything unexpected. */
export function userError(err: unknown): AppError {
  if (err instanceof AppError && err.status < 500) return err;
  throw err;
}

/** Re-renders a form with its error: the partial for htmx, the whole page otherwise. */
export function renderFormError(
  c: Context<AppEnv>,
  err: unknown,
  views: { page: string; partial?: string },
  data: Record<string, unknown>,
) {
  const e = userError(err);
  if (e instanceof RateLimitError) for (const [k, v] of Object.entries(e.headers())) c.header(k, v);
  const view = isHtmx(c) && views.partial ? views.partial : views.page;
  return html(c, view, { ...data, error: e.message, fields: e.fields }, e.status);
}

/**
 * Only same-site absolute paths, so `?next=` cannot send users elsewhere. `keepHash` keeps a
 * `#section` (for links the server built itself, such as a confirmation's Cancel).
 */
export function safeNext(value: string | undefined, fallback = '/dashboard', keepHash = false): string {
  // Browsers drop tabs and newlines and read "\\" as "/", so "/\t/evil.com" would leave the site.
  if (!value || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  try {
    const base = 'http://statusping.invalid';
    const u = new URL(value, base);
    if (u.origin !== base) return fallback;
    const out = u.pathname + u.search + (keepHash ? u.hash : '');
    // Dot segments resolve away: "/..//evil.com" parses as a path but leaves as "//evil.com".
    return out.startsWith('//') ? fallback : out;
  } catch {
    return fallback;
  }
}

/**
 * Where a plain form post returns to: its `back` field, else the page it was sent from (the
 * Referer, only when it is this site), else `fallback`. Only same-site paths, never a redirect elsewhere.
 */
export function returnPath(c: Context<AppEnv>, fallback: string): string {
  const back = c.get('form').back;
  if (back) return safeNext(back, fallback);
  const referer = c.req.header('referer');
  if (!referer) return fallback;
  try {
    const u = new URL(referer);
    const sameSite = u.host === new URL(c.req.url).host || u.origin === new URL(c.get('deps').config.baseUrl).origin;
    return sameSite ? safeNext(u.pathname + u.search, fallback) : fallback;
  } catch {
    return fallback;
  }
}

/** After a successful htmx form, navigate like a normal form post would. */
export function redirectAfterPost(c: Context<AppEnv>, to: string) {
  if (isHtmx(c)) {
    c.header('HX-Redirect', to);
    return c.body(null, 204);
  }
  return c.redirect(to, 303);
}
