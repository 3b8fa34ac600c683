import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export async function memberIds(db: DbLike, accountId: number): Promise<number[]> {
  const rows = await db.selectFrom('memberships').select('user_id').where('account_id', '=', accountId).execute();
  return rows.map((r) => r.user_id);
}

export async function countMemberships(db: DbLike, userId: number): Promise<number> {
  const r = await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Deletes an account. Every table that holds account data references accounts (or a table
 * that does: monitors, status_pages, outbox, …) with ON DELETE CASCADE, so this one row takes
 * all of it; tests/domain/account-deletion.test.ts walks the schema to prove it.
 */
export async function deleteAccountRow(db: DbLike, accountId: number): Promise<void> {
  await db.deleteFrom('accounts').where('id', '=', accountId).execute();
}

/** Deletes a user; their memberships, sessions and link tokens cascade, their audit entries keep the email. */
export async function deleteUserRow(db: DbLike, userId: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}
