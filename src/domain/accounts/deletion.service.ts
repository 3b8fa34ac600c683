import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import { AuthError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { verifyPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import * as repo from './accounts.repository.ts';
import * as del from './deletion.repository.ts';

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
