import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, ValidationError } from '../../lib/errors.ts';
import { findUser } from '../accounts/accounts.repository.ts';
import { removeAccount } from '../accounts/deletion.service.ts';
import { ROLES } from '../accounts/roles.ts';
import { type AuditActor, recordAudit } from '../audit/audit.repository.ts';
import * as del from '../accounts/deletion.repository.ts';
import * as members from '../teams/members.repository.ts';

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
  const target = await findUser(deps.db, targetUserId);
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
