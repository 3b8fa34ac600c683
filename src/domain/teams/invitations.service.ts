import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import { type Clock, DAY } from '../../lib/clock.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { isDbId, randomToken } from '../../lib/ids.ts';
import type { Mailer } from '../../lib/mail.ts';
import { hashPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import * as accounts from '../accounts/accounts.repository.ts';
import { type SignedIn, startSession } from '../accounts/accounts.service.ts';
import { signUpSchema } from '../accounts/accounts.ts';
import { isRole, type Role } from '../accounts/roles.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import * as repo from './invitations.repository.ts';
import * as members from './members.repository.ts';
import type { Actor } from './members.service.ts';
import { canAssign, INVITATION_TTL_DAYS, inviteSchema } from './teams.ts';

export interface InviteDeps {
  db: Db;
  clock: Clock;
  mailer: Mailer;
  /** The instance's public URL; accept links point there. */
  baseUrl: string;
}

export interface Invitation {
  id: number;
  accountId: number;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
}

function toInvitation(r: repo.InvitationRow): Invitation {
  return { id: r.id, accountId: r.account_id, email: r.email, role: isRole(r.role) ? r.role : 'viewer', createdAt: r.created_at, expiresAt: r.expires_at };
}

/** Only the hash is stored, so a database leak does not hand out working links. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function acceptUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/invite/${token}`;
}

export async function listInvitations(deps: Pick<InviteDeps, 'db' | 'clock'>, accountId: number): Promise<Invitation[]> {
  return (await repo.listPending(deps.db, accountId, deps.clock.now())).map(toInvitation);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function invitationMail(accountName: string, inviter: string, role: Role, url: string) {
  const subject = `You are invited to ${accountName} on StatusPing`;
  const text = `${inviter} invited you to join ${accountName} on StatusPing as ${role}.\n\nAccept the invitation: ${url}\n\nThe link works once and expires in ${INVITATION_TTL_DAYS} days. If you did not expect it, ignore this email.\n`;
  const html = `<p>${esc(inviter)} invited you to join <strong>${esc(accountName)}</strong> on StatusPing as <strong>${esc(role)}</strong>.</p><p><a href="${esc(url)}">Accept the invitation</a></p><p style="color:#64748b">The link works once and expires in ${INVITATION_TTL_DAYS} days. If you did not expect it, ignore this email.</p>`;
  return { subject, text, html };
}

/**
 * Invites an address to the account with a role, replacing any pending invitation of that
 * address, and emails the single-use link. The invitation stays when the email fails, so the
 * result says whether it went out.
 */
export async function invite(
  deps: InviteDeps,
  account: { id: number; name: string },
  by: Actor,
  raw: unknown,
): Promise<{ invitation: Invitation; mailError: string | null }> {
  const input = parseInput(inviteSchema, raw);
  if (!canAssign(by.role, input.role)) {
    const msg = input.role === 'owner' ? 'Only an owner can invite another owner.' : 'Your role cannot invite members.';
    throw new ForbiddenError(msg);
  }
  if (await members.isMemberByEmail(deps.db, account.id, input.email)) {
    throw new ValidationError(`${input.email} is already a member of this account.`, { email: 'Already a member of this account' });
  }
  const token = randomToken(32);
  const now = deps.clock.now();
  const id = await writeTx(deps.db, async (trx) => {
    await repo.revokePendingFor(trx, account.id, input.email, now);
    const id = await repo.insert(trx, {
      accountId: account.id,
      email: input.email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedBy: by.userId,
      now,
      expiresAt: now + INVITATION_TTL_DAYS * DAY,
    });
    await recordAudit(trx, { accountId: account.id, actor: { userId: by.userId, email: by.email }, ip: by.ip ?? null, action: 'member.invited', target: `invitation ${input.email}`, details: { role: input.role }, at: now });
    return id;
  });
  const invitation = toInvitation((await repo.findInAccount(deps.db, account.id, id))!);
  let mailError: string | null = null;
  try {
    await deps.mailer.send({ to: [input.email], ...invitationMail(account.name, by.email, input.role, acceptUrl(deps.baseUrl, token)), timeoutMs: 15_000 });
  } catch (err) {
    mailError = (err as Error).message;
  }
  return { invitation, mailError };
}

export async function revokeInvitation(deps: Pick<InviteDeps, 'db' | 'clock'>, accountId: number, by: Actor, id: number): Promise<void> {
  await writeTx(deps.db, async (trx) => {
    const inv = isDbId(id) ? await repo.findInAccount(trx, accountId, id) : undefined;
    if (!inv || !(await repo.revoke(trx, accountId, id, deps.clock.now()))) throw new NotFoundError('Invitation');
    await recordAudit(trx, { accountId, actor: { userId: by.userId, email: by.email }, ip: by.ip ?? null, action: 'member.invitation_revoked', target: `invitation ${inv.email}`, details: { role: inv.role }, at: deps.clock.now() });
  });
}

/** What a link leads to, with the reason when it no longer works. */
export interface InvitationView {
  invitation: Invitation;
  accountName: string;
  /** Whether a user with the invited address exists (then they log in instead of signing up). */
  userExists: boolean;
}

const GONE = {
  accepted: 'This invitation has already been used. Log in to reach the account.',
  revoked: 'This invitation was revoked. Ask the account owner or an admin for a new one.',
  expired: `This invitation has expired (links last ${INVITATION_TTL_DAYS} days). Ask the account owner or an admin for a new one.`,
} as const;

/** Looks a token up: 404 unknown, 410 used, revoked or expired. */
export async function openInvitation(deps: Pick<InviteDeps, 'db' | 'clock'>, token: string): Promise<InvitationView> {
  const row = token.length >= 20 && token.length <= 100 ? await repo.findByHash(deps.db, hashToken(token)) : undefined;
  if (!row) throw new AppError('invitation_not_found', 'This invitation link is not valid. Check that you copied the whole link.', 404);
  const gone = row.accepted_at !== null ? 'accepted' : row.revoked_at !== null ? 'revoked' : row.expires_at <= deps.clock.now() ? 'expired' : null;
  if (gone) throw new AppError(`invitation_${gone}`, GONE[gone], 410);
  const account = await accounts.findAccount(deps.db, row.account_id);
  if (!account) throw new AppError('invitation_revoked', GONE.revoked, 410);
  return { invitation: toInvitation(row), accountName: account.name, userExists: !!(await accounts.findUserByEmail(deps.db, row.email)) };
}

/** Claims the link inside the transaction; a second use at the same moment gets the 410. */
async function claimOrGone(trx: Parameters<typeof repo.claim>[0], inv: Invitation, now: number): Promise<void> {
  if (!(await repo.claim(trx, inv.id, now))) throw new AppError('invitation_accepted', GONE.accepted, 410);
}

/**
 * A signed-in user accepts: they join the invitation's account (and only it) with its role,
 * and their session moves there. The invitation names an address; only that user may use it.
 */
export async function acceptAsUser(deps: Pick<InviteDeps, 'db' | 'clock'>, token: string, auth: Pick<SignedIn, 'user' | 'session'>): Promise<number> {
  const { invitation: inv } = await openInvitation(deps, token);
  if (auth.user.email !== inv.email) {
    throw new ForbiddenError(`This invitation is for ${inv.email}, but you are logged in as ${auth.user.email}. Log out and open the link again.`, 'invitation_other_user');
  }
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    await claimOrGone(trx, inv, now);
    const existing = await accounts.roleOf(trx, inv.accountId, auth.user.id);
    if (!existing) await accounts.insertMembership(trx, { accountId: inv.accountId, userId: auth.user.id, role: inv.role, now });
    await members.setSessionAccount(trx, auth.session.id, inv.accountId);
    await recordAudit(trx, { accountId: inv.accountId, actor: { userId: auth.user.id, email: auth.user.email }, action: 'member.joined', target: `member ${auth.user.email}`, details: { role: existing ?? inv.role }, at: now });
  });
  return inv.accountId;
}

const acceptSignUpSchema = z.object({ password: signUpSchema.shape.password });

/**
 * A visitor accepts by creating their user with the invited address (fixed, and verified by
 * the link), joining the account and signing in. Works whether public sign-up is open or not:
 * the invitation is the permission.
 */
export async function acceptWithSignUp(deps: Pick<InviteDeps, 'db' | 'clock'>, token: string, raw: unknown, userAgent: string | null): Promise<SignedIn> {
  const view = await openInvitation(deps, token);
  const inv = view.invitation;
  const { password } = parseInput(acceptSignUpSchema, raw);
  if (view.userExists) throw new ValidationError(`There is already a user with ${inv.email}. Log in to accept the invitation.`, {});
  const hash = await hashPassword(password);
  const now = deps.clock.now();
  const userId = await writeTx(deps.db, async (trx) => {
    await claimOrGone(trx, inv, now);
    if (await accounts.findUserByEmail(trx, inv.email)) throw new ValidationError(`There is already a user with ${inv.email}. Log in to accept the invitation.`, {});
    const userId = await accounts.insertUser(trx, { email: inv.email, passwordHash: hash, isAdmin: false, now });
    await members.markEmailVerified(trx, userId, now);
    await accounts.insertMembership(trx, { accountId: inv.accountId, userId, role: inv.role, now });
    await recordAudit(trx, { accountId: inv.accountId, actor: { userId, email: inv.email }, action: 'member.joined', target: `member ${inv.email}`, details: { role: inv.role, new_user: true }, at: now });
    return userId;
  });
  return startSession(deps, userId, inv.accountId, userAgent);
}
