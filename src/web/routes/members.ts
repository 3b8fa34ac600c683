import { type Context, Hono } from 'hono';
import { invite, listInvitations, revokeInvitation } from '../../domain/teams/invitations.service.ts';
import { type Actor, changeRole, leaveAccount, listMembers, removeMember, switchAccount } from '../../domain/teams/members.service.ts';
import { assignableRoles, canManage, INVITATION_TTL_DAYS } from '../../domain/teams/teams.ts';
import { can } from '../../domain/accounts/roles.ts';
import { parseDbId } from '../../lib/ids.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { requireRole } from '../middleware/roles.ts';
import { authOf, clearSessionCookie } from '../middleware/session.ts';
import { html } from '../render.ts';

function teamDeps(c: Context<AppEnv>) {
  const { db, clock, delivery, config } = c.get('deps');
  return { db, clock, mailer: delivery.mailer, baseUrl: config.baseUrl };
}

export function actorOf(c: Context<AppEnv>): Actor {
  const { user, role } = authOf(c);
  return { userId: user.id, email: user.email, role, ip: c.get('clientIp') ?? null };
}

const PAGE = { page: 'pages/team/members' };

/** Members, pending invitations (for those who manage members) and what the viewer may do to each. */
async function pageData(c: Context<AppEnv>, extra: Record<string, unknown> = {}) {
  const auth = authOf(c);
  const manage = can(auth.role, 'members.manage');
  const [members, invitations] = await Promise.all([listMembers(teamDeps(c), auth.account.id), manage ? listInvitations(teamDeps(c), auth.account.id) : []]);
  const q = c.req.query();
  return {
    // The last owner cannot leave: the page explains that instead of offering the button.
    soleOwner: auth.role === 'owner' && members.filter((m) => m.role === 'owner').length === 1,
    members: members.map((m) => ({ ...m, me: m.userId === auth.user.id, manageable: m.userId !== auth.user.id && canManage(auth.role, m.role) })),
    invitations,
    manage,
    roles: assignableRoles(auth.role),
    myRole: auth.role,
    ttlDays: INVITATION_TTL_DAYS,
    notice: q.invited ? { invited: q.invited, mailFailed: q.mail === 'failed' } : null,
    mailVia: c.get('deps').delivery.mailer.via,
    values: { role: 'member' },
    fields: {},
    now: c.get('deps').clock.now(),
    ...extra,
  };
}

/** Leaves the account: the session moves to another account of the user, or ends when none is left. */
async function leave(c: Context<AppEnv>) {
  try {
    const next = await leaveAccount(teamDeps(c), authOf(c).account.id, actorOf(c));
    if (next !== null) return redirectAfterPost(c, '/dashboard');
    clearSessionCookie(c);
    return redirectAfterPost(c, '/login?left=1');
  } catch (err) {
    return renderFormError(c, err, PAGE, await pageData(c));
  }
}

async function leaveQuestion(c: Context<AppEnv>) {
  const auth = authOf(c);
  const owners = (await listMembers(teamDeps(c), auth.account.id)).filter((m) => m.role === 'owner');
  if (auth.role === 'owner' && owners.length === 1) return null;
  return { title: `Leave ${authOf(c).account.name}?`, detail: 'You lose access to this account; an owner or admin can invite you again.', button: 'Leave', cancel: '/settings/members' };
}
const confirmLeave = confirmFirst(leaveQuestion);

export const memberRoutes = new Hono<AppEnv>()
  // Every member may see who else is in the account; changing it needs members.manage.
  .get('/settings/members', async (c) => html(c, 'pages/team/members', await pageData(c)))
  .post('/settings/members/invite', requireRole('members.manage'), async (c) => {
    const form = c.get('form');
    try {
      const { invitation, mailError } = await invite(teamDeps(c), authOf(c).account, actorOf(c), form);
      if (mailError) c.get('deps').logger.warn({ err: mailError, invitation: invitation.id }, 'invitation email failed');
      return redirectAfterPost(c, `/settings/members?invited=${encodeURIComponent(invitation.email)}${mailError ? '&mail=failed' : ''}`);
    } catch (err) {
      return renderFormError(c, err, PAGE, await pageData(c, { values: { email: form.email ?? '', role: form.role ?? 'member' } }));
    }
  })
  .post('/settings/members/invitations/:id/revoke', requireRole('members.manage'), async (c) => {
    await revokeInvitation(teamDeps(c), authOf(c).account.id, actorOf(c), parseDbId(c.req.param('id')));
    return redirectAfterPost(c, '/settings/members');
  })
  .post('/settings/members/leave', confirmLeave, leave)
  .post('/settings/members/:id/role', requireRole('members.manage'), async (c) => {
    try {
      await changeRole(teamDeps(c), authOf(c).account.id, actorOf(c), parseDbId(c.req.param('id')), c.get('form'));
      return redirectAfterPost(c, '/settings/members');
    } catch (err) {
      return renderFormError(c, err, PAGE, await pageData(c));
    }
  })
  .post('/settings/members/:id/remove', requireRole('members.manage'), confirmFirst(async (c) => {
    const id = parseDbId(c.req.param('id'));
    if (id === authOf(c).user.id) return leaveQuestion(c);
    const m = (await listMembers(teamDeps(c), authOf(c).account.id)).find((x) => x.userId === id);
    if (!m) throw new NotFoundError('Member');
    if (!canManage(authOf(c).role, m.role)) return null;
    return { title: `Remove ${m.email} from ${authOf(c).account.name}?`, detail: 'They lose access to this account at once; their login and other accounts stay.', button: 'Remove', cancel: '/settings/members' };
  }), async (c) => {
    const id = parseDbId(c.req.param('id'));
    if (id === authOf(c).user.id) return leave(c);
    try {
      await removeMember(teamDeps(c), authOf(c).account.id, actorOf(c), id);
      return redirectAfterPost(c, '/settings/members');
    } catch (err) {
      return renderFormError(c, err, PAGE, await pageData(c));
    }
  })
  // Moves this session to another account of the user; an account they are not in is a 404.
  .post('/account/switch', async (c) => {
    const auth = authOf(c);
    await switchAccount(teamDeps(c), { id: auth.session.id, userId: auth.user.id }, parseDbId(c.get('form').account_id));
    return redirectAfterPost(c, '/dashboard');
  });
