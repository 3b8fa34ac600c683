import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { resumeSession, SESSION_TTL_MS, type SignedIn } from '../../domain/accounts/accounts.service.ts';
import type { AppEnv } from '../deps.ts';
import { isHtmx } from '../render.ts';

export const SESSION_COOKIE = 'sp_session';

function secure(c: Context<AppEnv>): boolean {
  return c.get('deps').config.baseUrl.startsWith('https:');
}

/** Loads the signed-in user from the session cookie; a revoked or forged token counts as none. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('auth', null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token) {
    const deps = c.get('deps');
    const claims = await deps.tokens.verify(token);
    const auth = claims ? await resumeSession(deps, claims.sessionId) : null;
    if (auth && auth.user.id === claims?.userId) c.set('auth', auth);
    else deleteCookie(c, SESSION_COOKIE, { path: '/' });
  }
  await next();
};

export async function setSessionCookie(c: Context<AppEnv>, signed: SignedIn): Promise<void> {
  const token = await c.get('deps').tokens.sign(signed.session.id, signed.user.id, signed.session.expiresAt);
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
}

/** Everything registered after this middleware needs a signed-in user. */
export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('auth')) return next();
  if (isHtmx(c)) {
    // Come back to the page the user was on, not to the fragment it was polling.
    let page = '/dashboard';
    try {
      page = new URL(c.req.header('hx-current-url') ?? '').pathname;
    } catch {
      /* keep the dashboard */
    }
    c.header('HX-Redirect', `/login?next=${encodeURIComponent(page)}`);
    return c.text('Please log in', 401);
  }
  const next_ = encodeURIComponent(c.req.path);
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(`/login?next=${next_}`, 302);
  return c.text('Please log in', 401);
};

/** The signed-in user; only call behind requireAuth. */
export function authOf(c: Context<AppEnv>): SignedIn {
  const auth = c.get('auth');
  if (!auth) throw new Error('authOf called on a public route');
  return auth;
}
