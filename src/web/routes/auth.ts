import { Hono } from 'hono';
import { changePassword, logIn, logOut, logOutEverywhere, signUp, signupAvailable } from '../../domain/accounts/accounts.service.ts';
import { clientKey } from '../../lib/client-key.ts';
import { spend } from '../../lib/rate-limit.ts';
import type { AppEnv } from '../deps.ts';
import { redirectAfterPost, renderFormError, safeNext, userError } from '../forms.ts';
import { sendVerificationEmail } from '../../domain/accounts/email-verification.service.ts';
import { lifecycleDeps, settingsView } from './account-lifecycle.ts';
import { renameAccount } from '../../domain/accounts/account-name.service.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf, clearSessionCookie, setSessionCookie } from '../middleware/session.ts';
import { html } from '../render.ts';

/** Public: sign-up and log-in. */
export const publicAuthRoutes = new Hono<AppEnv>()
  .get('/signup', async (c) => {
    if (c.get('auth')) return c.redirect('/dashboard');
    const closed = !(await signupAvailable(c.get('deps')));
    return html(c, 'pages/auth/signup', { values: {}, fields: {}, closed }, closed ? 403 : 200);
  })
  .post('/signup', async (c) => {
    const form = c.get('form');
    const deps = c.get('deps');
    const values = { email: form.email ?? '', organization: form.organization ?? '' };
    try {
      await spend([deps.signupLimit, `signup:${clientKey(c.get('clientIp'))}`]);
      const signed = await signUp(deps, form, c.get('clientIp'), c.req.header('user-agent') ?? null);
      await setSessionCookie(c, signed);
      // The mail itself is not awaited: a slow mail server must not hold up sign-up; the banner offers a resend.
      if (signed.user.emailVerifiedAt === null) await sendVerificationEmail(lifecycleDeps(deps), signed.user);
      return redirectAfterPost(c, '/dashboard');
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/auth/signup' }, { values });
    }
  })
  .get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('auth')) return c.redirect(next);
    const signupOpen = await signupAvailable(c.get('deps'));
    return html(c, 'pages/auth/login', { values: {}, fields: {}, next, left: c.req.query('left') === '1', signupOpen });
  })
  .post('/login', async (c) => {
    const form = c.get('form');
    const next = safeNext(form.next);
    try {
      const signed = await logIn(c.get('deps'), form, c.get('clientIp'), c.req.header('user-agent') ?? null);
      await setSessionCookie(c, signed);
      return redirectAfterPost(c, next);
    } catch (err) {
      const signupOpen = await signupAvailable(c.get('deps'));
      return renderFormError(c, err, { page: 'pages/auth/login' }, { values: { email: form.email ?? '' }, next, signupOpen });
    }
  })
  // Logging out is allowed without a live session so a stale cookie can always be cleared.
  .post('/logout', async (c) => {
    const auth = c.get('auth');
    if (auth) await logOut(c.get('deps'), auth.session.id);
    clearSessionCookie(c);
    return redirectAfterPost(c, '/login');
  });

/** Signed-in: account settings, password change, log out everywhere. */
export const settingsRoutes = new Hono<AppEnv>()
  .get('/settings', (c) => settingsView(c, { saved: c.req.query('saved') }))
  // Settings forms re-render their errors at the URL posted to; a reload (GET) goes back to Settings.
  .get('/settings/:form{password|account-name|email|delete-account}', (c) => c.redirect('/settings', 302))
  .post('/settings/password', async (c) => {
    const auth = c.get('auth')!;
    try {
      await changePassword(c.get('deps'), auth.user.id, auth.session.id, c.get('form'));
      return redirectAfterPost(c, '/settings?saved=password');
    } catch (err) {
      const e = userError(err);
      return settingsView(c, { section: 'password', error: e.message, fields: e.fields }, e.status);
    }
  })
  .post('/settings/account-name', requireRole('account.rename'), async (c) => {
    const form = c.get('form');
    try {
      await renameAccount(c.get('deps'), authOf(c).account.id, form, auditBy(c));
      return redirectAfterPost(c, '/settings?saved=name');
    } catch (err) {
      const e = userError(err);
      return settingsView(c, { section: 'name', error: e.message, fields: e.fields, values: { name: form.name ?? '' } }, e.status);
    }
  })
  .post('/settings/logout-everywhere', async (c) => {
    await logOutEverywhere(c.get('deps'), c.get('auth')!.user.id);
    clearSessionCookie(c);
    return redirectAfterPost(c, '/login');
  });
