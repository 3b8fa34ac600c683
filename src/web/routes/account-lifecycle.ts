import { type Context, Hono } from 'hono';
import { signInUser } from '../../domain/accounts/accounts.service.ts';
import { deleteOwnAccount } from '../../domain/accounts/deletion.service.ts';
import {
  confirmEmailChange,
  type LifecycleDeps,
  peekEmailChange,
  requestEmailChange,
  sendVerificationEmail,
  verifyEmail,
} from '../../domain/accounts/email-verification.service.ts';
import { checkResetToken, parseForgotEmail, requestPasswordReset, resetPassword } from '../../domain/accounts/password-reset.service.ts';
import { LinkError } from '../../domain/accounts/tokens.ts';
import { can } from '../../domain/accounts/roles.ts';
import { HOUR, MINUTE } from '../../lib/clock.ts';
import { RateLimitError } from '../../lib/errors.ts';
import { clientKey } from '../../lib/client-key.ts';
import { spend } from '../../lib/rate-limit.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { redirectAfterPost, renderFormError, userError } from '../forms.ts';
import { assertCan } from '../middleware/roles.ts';
import { authOf, clearSessionCookie, setSessionCookie } from '../middleware/session.ts';
import { html } from '../render.ts';

export function lifecycleDeps(deps: WebDeps): LifecycleDeps {
  return { db: deps.db, clock: deps.clock, mailer: deps.delivery.mailer, baseUrl: deps.config.baseUrl, logger: deps.logger };
}

/** A page for a link that is used, expired or unknown (410), with the way forward. */
function linkPage(c: Context<AppEnv>, err: unknown, next: { href: string; label: string }) {
  const e = userError(err);
  return html(c, 'pages/auth/link-result', { title: 'This link cannot be used', message: e.message, next }, e instanceof LinkError ? 410 : e.status);
}

/** The settings page with what its lifecycle sections need; used by GET /settings and form errors. */
export function settingsView(c: Context<AppEnv>, data: Record<string, unknown>, status = 200) {
  const auth = authOf(c);
  return html(c, 'pages/auth/settings', { fields: {}, values: {}, canDeleteAccount: can(auth.role, 'account.delete'), ...data }, status);
}

/**
 * Public: email verification links, forgot/reset password, confirming a new address.
 * The limits live here, built like the login limits (shared by web processes on PostgreSQL).
 */
export function lifecyclePublicRoutes(deps: WebDeps) {
  const forgotByIp = deps.rateLimits.limiter('forgot-ip', 10, HOUR);
  const forgotByEmail = deps.rateLimits.limiter('forgot-email', 3, HOUR);
  const ld = lifecycleDeps(deps);
  const forgotNext = { href: '/forgot-password', label: 'Ask for a new reset link' };

  return new Hono<AppEnv>()
    .get('/verify-email/:token', async (c) => {
      try {
        const { email } = await verifyEmail(ld, c.req.param('token'));
        return html(c, 'pages/auth/link-result', {
          title: 'Email address confirmed',
          message: `Thanks: ${email} is confirmed. Alerts and account notices can be emailed to it.`,
          next: { href: c.get('auth') ? '/dashboard' : '/login', label: c.get('auth') ? 'Go to the dashboard' : 'Log in' },
          ok: true,
        });
      } catch (err) {
        return linkPage(c, err, { href: c.get('auth') ? '/dashboard' : '/login', label: c.get('auth') ? 'Go to the dashboard' : 'Log in' });
      }
    })
    .get('/forgot-password', (c) => html(c, 'pages/auth/forgot-password', { values: {}, fields: {} }))
    .post('/forgot-password', async (c) => {
      const form = c.get('form');
      const values = { email: form.email ?? '' };
      try {
        const email = parseForgotEmail(form);
        // Counted whether or not the address has a login, so the limit reveals nothing either.
        await spend([forgotByIp, `ip:${clientKey(c.get('clientIp'))}`], [forgotByEmail, `email:${email}`]);
        // Not awaited: a known address must not answer slower than an unknown one.
        const { sent } = await requestPasswordReset(ld, email);
        void sent;
        return html(c, 'pages/auth/forgot-password', { values, fields: {}, sentTo: email });
      } catch (err) {
        return renderFormError(c, err, { page: 'pages/auth/forgot-password' }, { values });
      }
    })
    .get('/reset-password/:token', async (c) => {
      try {
        await checkResetToken(ld, c.req.param('token'));
        return html(c, 'pages/auth/reset-password', { token: c.req.param('token'), fields: {} });
      } catch (err) {
        return linkPage(c, err, forgotNext);
      }
    })
    .post('/reset-password/:token', async (c) => {
      const token = c.req.param('token');
      try {
        const userId = await resetPassword(ld, token, c.get('form'));
        const signed = await signInUser(deps, userId, c.req.header('user-agent') ?? null);
        await setSessionCookie(c, signed);
        return redirectAfterPost(c, '/dashboard');
      } catch (err) {
        if (err instanceof LinkError) return linkPage(c, err, forgotNext);
        return renderFormError(c, err, { page: 'pages/auth/reset-password' }, { token });
      }
    })
    // A GET only shows what would change: mail scanners that open links must not confirm it.
    .get('/confirm-email/:token', async (c) => {
      try {
        const change = await peekEmailChange(ld, c.req.param('token'));
        return html(c, 'pages/auth/confirm-email', { token: c.req.param('token'), change });
      } catch (err) {
        return linkPage(c, err, { href: '/settings', label: 'Go to settings' });
      }
    })
    .post('/confirm-email/:token', async (c) => {
      try {
        const { email } = await confirmEmailChange(ld, c.req.param('token'));
        return html(c, 'pages/auth/link-result', {
          title: 'Email address changed',
          message: `Your StatusPing login is now ${email}. Use it the next time you log in.`,
          next: { href: c.get('auth') ? '/settings' : '/login', label: c.get('auth') ? 'Go to settings' : 'Log in' },
          ok: true,
        });
      } catch (err) {
        return linkPage(c, err, { href: '/settings', label: 'Go to settings' });
      }
    });
}

/** Signed in: resend the verification email, change the address, delete the account. */
export function lifecycleSettingsRoutes(deps: WebDeps) {
  const resendByUser = deps.rateLimits.limiter('verify-resend', 3, HOUR);
  const emailChangeByUser = deps.rateLimits.limiter('email-change', 5, HOUR);
  const deleteByUser = deps.rateLimits.limiter('account-delete', 5, 15 * MINUTE);
  const ld = lifecycleDeps(deps);

  return new Hono<AppEnv>()
    .post('/settings/verify-email', async (c) => {
      const { user } = authOf(c);
      if (user.emailVerifiedAt !== null) return redirectAfterPost(c, '/settings?saved=verified');
      try {
        await spend([resendByUser, `user:${user.id}`]);
      } catch (err) {
        const e = userError(err);
        if (e instanceof RateLimitError) c.header('Retry-After', String(e.retryAfterSeconds));
        return settingsView(c, { section: 'verify', error: e.message }, e.status);
      }
      const sent = await (await sendVerificationEmail(ld, user)).sent;
      return redirectAfterPost(c, sent ? '/settings?saved=verification' : '/settings?saved=verification_failed');
    })
    .post('/settings/email', async (c) => {
      const { user } = authOf(c);
      const form = c.get('form');
      try {
        await spend([emailChangeByUser, `user:${user.id}`]);
        await requestEmailChange(ld, user.id, form);
        return redirectAfterPost(c, '/settings?saved=email');
      } catch (err) {
        const e = userError(err);
        if (e instanceof RateLimitError) c.header('Retry-After', String(e.retryAfterSeconds));
        return settingsView(c, { section: 'email', error: e.message, fields: e.fields, values: { new_email: form.new_email ?? '' } }, e.status);
      }
    })
    .post('/settings/delete-account', async (c) => {
      assertCan(c, 'account.delete');
      const auth = authOf(c);
      const form = c.get('form');
      try {
        await spend([deleteByUser, `user:${auth.user.id}`]);
        const { deletedUserIds } = await deleteOwnAccount(deps, auth.account.id, auth.user.id, form);
        deps.logger.info({ accountId: auth.account.id, by: auth.user.id, deletedUserIds }, 'account deleted by its owner');
        clearSessionCookie(c);
        c.set('auth', null);
        return html(c, 'pages/auth/link-result', {
          title: 'Account deleted',
          message: `${auth.account.name} and all its data are gone.${deletedUserIds.includes(auth.user.id) ? ' Your login was deleted too, as it belonged to no other account.' : ''}`,
          next: { href: '/', label: 'Go to StatusPing' },
          ok: true,
        });
      } catch (err) {
        const e = userError(err);
        if (e instanceof RateLimitError) c.header('Retry-After', String(e.retryAfterSeconds));
        return settingsView(c, { section: 'delete', error: e.message, fields: e.fields, values: { confirm: form.confirm ?? '' } }, e.status);
      }
    });
}
