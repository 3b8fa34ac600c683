import type { MiddlewareHandler } from 'hono';
import { accountsOf } from '../../domain/teams/members.service.ts';
import type { AppEnv } from '../deps.ts';
import { isHtmx } from '../render.ts';

/** Loads the user's accounts for the switcher on full pages (not on htmx fragments). */
export const loadMemberships: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.get('auth');
  if (auth && !isHtmx(c)) c.set('memberships', await accountsOf(c.get('deps'), auth.user.id));
  await next();
};
