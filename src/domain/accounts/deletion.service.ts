import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { AuthError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { verifyPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import { type AuditActor, recordAudit } from '../audit/audit.repository.ts';
import * as repo from './accounts.repository.ts';
import * as members from '../teams/members.repository.ts';
import * as del from './deletion.repository.ts';
import { ROLES } from './roles.ts';

const deleteAccountSchema = z.object({
  confirm: z.string().trim().min(1, 'Type the account name to confirm').max(200, 'That is not the account name'),
  password: z.string().min(1, 'Enter your password').max(256, 'Your password is not correct.'),
});

/**
 * Deletes an account at its owner's request (the route checks the role): the typed name (or
 * slug) and the owner's password must match. Returns the users deleted with it.
 */
export async function deleteOwnAccount(deps: { db: Db }, accountId: number, userId: number, raw: unknown): Promise<{ deletedUserIds: number[] }> {
  const input = parseInput(deleteAccountSchema, raw);
  const account = await repo.findAccount(deps.db, accountId);
  const user = await repo.findUser(deps.db, userId);
  if (!account) throw new NotFoundError('Account');
  if (!user) throw new AuthError();
  if (input.confirm !== account.name.trim() && input.confirm.toLowerCase() !== account.slug) {
    const msg = `Type the account name "${account.name}" exactly to confirm.`;
    throw new ValidationError(msg, { confirm: msg });
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    throw new ValidationError('Your password is not correct.', { password: 'Your password is not correct.' });
  }
  return writeTx(deps.db, (trx) => removeAccount(trx, accountId));
}

/**
 * In the caller's transaction: deletes the account with all its data, then every former
 * member who now belongs to no account (they could no longer log in to anything, and their
 * login should not outlive the data it guarded).
 */
export async function removeAccount(trx: Trx, accountId: number): Promise<{ deletedUserIds: number[] }> {
  const memberIds = await del.memberIds(trx, accountId);
  await del.deleteAccountRow(trx, accountId);
  const deletedUserIds: number[] = [];
  for (const userId of memberIds) {
    if ((await del.countMemberships(trx, userId)) === 0) {
      await del.deleteUserRow(trx, userId);
      deletedUserIds.push(userId);
    }
  }
  return { deletedUserIds };
}

/**
 * Deletes a user on the instance admin's order, in one transaction:
 * 1. the user row goes (memberships, sessions and tokens cascade);
 * 2. each account they belonged to that has no member left is deleted with all its data;
 * 3. an account left with members but no owner gets its senior remaining member as owner;
 * 4. every surviving account records the change in its audit log.
 */
export async function deleteUserAsAdmin(
  deps: { db: Db; clock: Clock },
  admin: { userId: number; email: string },
  targetUserId: number,
  ip: string | null,
): Promise<{ email: string; deletedAccountIds: number[] }> {
  if (targetUserId === admin.userId) throw new ValidationError('You cannot delete your own login here. Another admin would have to.');
  const target = await repo.findUser(deps.db, targetUserId);
  if (!target) throw new NotFoundError('User');
  const now = deps.clock.now();
  const actor: AuditActor = { userId: admin.userId, email: admin.email };
  return writeTx(deps.db, async (trx) => {
    const accountIds = (await members.accountsOfUser(trx, targetUserId)).map((a) => a.id);
    await del.deleteUserRow(trx, targetUserId);
    const deletedAccountIds: number[] = [];
    for (const accountId of accountIds) {
      const next = await successorOf(trx, accountId);
      if (!next) {
        await removeAccount(trx, accountId);
        deletedAccountIds.push(accountId);
        continue;
      }
      await recordAudit(trx, { accountId, actor, action: 'admin.user_deleted', target: `user ${targetUserId} (${target.email})`, ip, at: now });
      if ((await members.countOwners(trx, accountId)) === 0) {
        await members.setRole(trx, accountId, next.userId, 'owner');
        await recordAudit(trx, { accountId, actor, action: 'member.role_changed', target: `user ${next.userId} (${next.email})`, details: { from: next.role, to: 'owner', reason: 'the last owner was deleted' }, ip, at: now });
      }
    }
    return { email: target.email, deletedAccountIds };
  });
}

/** The remaining member best placed to own an account whose last owner left: highest role, then longest there. */
async function successorOf(trx: Trx, accountId: number): Promise<members.MemberRow | undefined> {
  const rank = (role: string) => (ROLES as readonly string[]).indexOf(role);
  const rows = await members.listMembers(trx, accountId);
  return rows.sort((a, b) => rank(a.role) - rank(b.role) || a.joinedAt - b.joinedAt)[0];
}
