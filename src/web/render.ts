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
  return eta.render(template, { ...baseData(c), ...data });
}

export function html(c: Context<AppEnv>, template: string, data: object = {}, status = 200) {
  return c.html(renderView(c, template, data), status as 200);
}

export function useEta(instance: Eta): void {
  eta = instance;
}
