import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteUserAsAdmin } from '../../domain/admin/user-deletion.service.ts';
import { addUser, type AdminActor, type AdminDeps, adminOverview, changePlan, setSignup } from '../../domain/admin/admin.service.ts';
import { PLAN_IDS } from '../../domain/billing/plans.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, userError } from '../forms.ts';
import { authOf } from '../middleware/session.ts';
import { html } from '../render.ts';
import { lifecycleDeps } from './account-lifecycle.ts';

/**
 * Instance admins only. Anyone else gets the same 404 as a path that does not exist, so the
 * page does not reveal itself.
 */
const instanceAdminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!authOf(c).user.isAdmin) throw new NotFoundError('Page');
  await next();
};

function actor(c: Context<AppEnv>): AdminActor {
  const { user } = authOf(c);
  return { userId: user.id, email: user.email, ip: c.get('clientIp') ?? null };
}

const NOTICES: Record<string, string> = {
  signup: 'Sign-up setting saved.',
  plan: 'Plan changed.',
  deleted: 'User deleted.',
};

export function adminRoutes(deps: WebDeps) {
  const ad: AdminDeps = { ...lifecycleDeps(deps), signupsOpen: deps.signupsOpen, policy: deps.policy };

  async function page(c: Context<AppEnv>, data: Record<string, unknown> = {}, status = 200) {
    const overview = await adminOverview(ad);
    const saved = c.req.query('saved');
    return html(c, 'pages/admin/index', { ...overview, plans: PLAN_IDS, notice: saved ? NOTICES[saved] : undefined, fields: {}, values: {}, ...data }, status);
  }

  async function orError(c: Context<AppEnv>, section: string, fn: () => Promise<string>, values: Record<string, string> = {}) {
    try {
      return redirectAfterPost(c, await fn());
    } catch (err) {
      const e = userError(err);
      return page(c, { section, error: e.message, fields: e.fields, values }, e.status);
    }
  }

  return new Hono<AppEnv>()
    .use('/admin', instanceAdminOnly)
    .use('/admin/*', instanceAdminOnly)
    .get('/admin', (c) => page(c))
    .post('/admin/signup', (c) =>
      orError(c, 'signup', async () => {
        const choice = c.get('form').choice ?? '';
        await setSignup(ad, choice);
        // An instance setting belongs to no account, so it goes to the log rather than an audit log.
        deps.logger.info({ by: actor(c).email, choice }, 'sign-up setting changed by the instance admin');
        return '/admin?saved=signup';
      }),
    )
    .post('/admin/users', async (c) => {
      const form = c.get('form');
      const values = { email: form.email ?? '', organization: form.organization ?? '' };
      try {
        const { email, mailed } = await addUser(ad, actor(c), form);
        const notice = mailed && deps.delivery.mailer.via === 'log'
          ? `Created ${email}. This instance has no mail provider, so their link to choose a password (valid 48 hours) was written to the server log instead of being emailed: send it to them yourself, or set RESEND_API_KEY or SMTP_URL.`
          : mailed
          ? `Created ${email}. They were emailed a link to choose their password (valid 48 hours).`
          : `Created ${email}, but the email with their set-password link could not be sent. They can use "Forgot your password?" on the login page.`;
        return page(c, { notice });
      } catch (err) {
        const e = userError(err);
        return page(c, { section: 'add', error: e.message, fields: e.fields, values }, e.status);
      }
    })
    .post('/admin/users/:id/delete', confirmFirst(async (c) => {
      const id = parseDbId(c.req.param('id'));
      if (id === authOf(c).user.id) return null;
      const u = (await adminOverview(ad)).users.find((x) => x.id === id);
      if (!u) throw new NotFoundError('User');
      return { title: `Delete the user ${u.email}?`, detail: 'Their login goes, and every account left without members is deleted with all its monitors, pages and history.', button: 'Delete user', cancel: '/admin#users' };
    }), (c) =>
      orError(c, 'users', async () => {
        const id = parseDbId(c.req.param('id'));
        const a = actor(c);
        const { email, deletedAccountIds } = await deleteUserAsAdmin(ad, a, id, a.ip);
        deps.logger.info({ by: a.userId, email, deletedAccountIds }, 'user deleted by the instance admin');
        return '/admin?saved=deleted';
      }),
    )
    .post('/admin/accounts/:id/plan', (c) =>
      orError(c, 'accounts', async () => {
        await changePlan(ad, actor(c), parseDbId(c.req.param('id')), c.get('form').plan ?? '');
        return '/admin?saved=plan';
      }),
    );
}
