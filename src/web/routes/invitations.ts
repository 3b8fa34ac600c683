import { Hono } from 'hono';
import { acceptAsUser, acceptWithSignUp, openInvitation } from '../../domain/teams/invitations.service.ts';
import { clientKey } from '../../lib/client-key.ts';
import { spend } from '../../lib/rate-limit.ts';
import type { AppEnv } from '../deps.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { authOf, setSessionCookie } from '../middleware/session.ts';
import { html } from '../render.ts';

/**
 * Public: the page an invitation link opens, and sign-up through it. Unknown links answer 404;
 * used, revoked and expired ones 410 (the error page says which).
 */
export const publicInvitationRoutes = new Hono<AppEnv>()
  .get('/invite/:token', async (c) => {
    const token = c.req.param('token');
    const view = await openInvitation(c.get('deps'), token);
    c.header('Cache-Control', 'no-store');
    return html(c, 'pages/team/invite', { ...view, token, values: {}, fields: {} });
  })
  // Sign-up for someone without a user yet; allowed even when public sign-up is closed.
  .post('/invite/:token', async (c) => {
    const token = c.req.param('token');
    const deps = c.get('deps');
    if (c.get('auth')) return redirectAfterPost(c, `/invite/${encodeURIComponent(token)}`);
    try {
      await spend([deps.signupLimit, `signup:${clientKey(c.get('clientIp'))}`]);
      const signed = await acceptWithSignUp(deps, token, c.get('form'), c.req.header('user-agent') ?? null);
      await setSessionCookie(c, signed);
      return redirectAfterPost(c, '/dashboard');
    } catch (err) {
      const view = await openInvitation(deps, token);
      return renderFormError(c, err, { page: 'pages/team/invite' }, { ...view, token, values: {} });
    }
  });

/** Signed-in: accept, joining the invitation's account and switching to it. */
export const invitationRoutes = new Hono<AppEnv>().post('/invite/:token/accept', async (c) => {
  await acceptAsUser(c.get('deps'), c.req.param('token'), authOf(c));
  return redirectAfterPost(c, '/dashboard');
});
