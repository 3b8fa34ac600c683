import path from 'node:path';
import { Eta } from 'eta';
import type { Context } from 'hono';
import { projectRoot } from '../lib/paths.ts';
import { type Action, can } from '../domain/accounts/roles.ts';
import type { AppEnv } from './deps.ts';
import * as fmt from './format.ts';

export const VIEWS_DIR = path.join(projectRoot(), 'views');

export function createEta(production: boolean): Eta {
  return new Eta({ views: VIEWS_DIR, cache: production, autoEscape: true, useWith: false });
}

let eta = createEta(process.env.NODE_ENV === 'production');

export function isHtmx(c: Context): boolean {
  return c.req.header('hx-request') === 'true';
}

/** Data every template gets: the signed-in user, the CSRF token and the formatting helpers. */
function baseData(c: Context<AppEnv>) {
  const auth = c.get('auth');
  return {
    user: auth?.user ?? null,
    account: auth?.account ?? null,
    role: auth?.role ?? null,
    /** Whether the signed-in member may do an action: views hide what the server would refuse. */
    can: (action: Action) => !!auth && can(auth.role, action),
    accounts: c.get('memberships') ?? [],
    csrf: c.get('csrf') ?? '',
    path: c.req.path,
    selfHosted: c.get('deps').config.selfHosted,
    /** No mail provider: emails (and their links) only go to the server log, and pages must say so. */
    mailLogged: c.get('deps').delivery.mailer.via === 'log',
    fmt,
  };
}

export function renderView(c: Context<AppEnv>, template: string, data: object = {}): string {
  const d = data as { error?: unknown; fields?: Record<string, string> };
  if (typeof d.error === 'string' && d.fields) return renderErrorOnce(c, template, data, d.error, d.fields, { ...data, error: undefined });
  return eta.render(template, { ...baseData(c), ...data });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Whether the page shows `message` as a field's error (escaped as Eta escapes it). */
function showsFieldError(body: string, message: string): boolean {
  const escaped = message.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
  for (const m of body.matchAll(/<p class="field-error"[^>]*>([^<]*)<\/p>/g)) if (m[1] === escaped) return true;
  return false;
}

/**
 * A form error is shown once: when it is about a single field and its banner would only
 * repeat that field's message, the page is rendered without the banner (`withoutBanner`).
 * That page is kept only if it does show the message under the field; a view that does not
 * render that field's error keeps its banner, so no message is ever lost.
 */
export function renderErrorOnce(c: Context<AppEnv>, template: string, data: object, message: string, fields: Record<string, string>, withoutBanner: object): string {
  const messages = Object.values(fields);
  if (messages.length === 1 && messages[0] === message) {
    const body = eta.render(template, { ...baseData(c), ...withoutBanner });
    if (showsFieldError(body, message)) return body;
  }
  return eta.render(template, { ...baseData(c), ...data });
}

export function html(c: Context<AppEnv>, template: string, data: object = {}, status = 200) {
  return c.html(renderView(c, template, data), status as 200);
}

export function useEta(instance: Eta): void {
  eta = instance;
}
