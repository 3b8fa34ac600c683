import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './deps.ts';
import { safeNext } from './forms.ts';
import { html } from './render.ts';

/**
 * The form field that says a destructive POST was confirmed. With JavaScript, htmx asks
 * (`hx-confirm`) and sends it with `hx-vals` on the same element; without JavaScript the
 * confirmation page's form carries it as a hidden input.
 */
export const CONFIRM_FIELD = '_confirm';

/** What the confirmation page says: the question, its consequence, the button and where Cancel goes. */
export interface Confirmation {
  title: string;
  detail?: string;
  button: string;
  cancel: string;
}

/**
 * Guards a destructive POST: without the confirmation field nothing is done and a page asks
 * first, whose form posts the same fields again with the field and a fresh CSRF token. The
 * `ask` callback loads what the page names, so another account's id is still a 404 here.
 * Place it after the role check, so those without the right get their 403 rather than a question.
 * `ask` returns null for a request that will be refused anyway, so the refusal comes straight away.
 */
export function confirmFirst(ask: (c: Context<AppEnv>) => Confirmation | null | Promise<Confirmation | null>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const form = c.get('form');
    if (form[CONFIRM_FIELD] === '1') return next();
    const q = await ask(c);
    if (!q) return next();
    const fields = Object.entries(form).filter(([k]) => k !== '_csrf' && k !== CONFIRM_FIELD);
    c.header('Cache-Control', 'no-store');
    return html(c, 'pages/confirm/index', { ask: q, action: c.req.path, fields, cancel: safeNext(q.cancel, '/dashboard', true) });
  };
}
