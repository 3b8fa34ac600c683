import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export type TokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export interface UserToken {
  id: number;
  userId: number;
  purpose: TokenPurpose;
  newEmail: string | null;
  expiresAt: number;
  usedAt: number | null;
}

export async function insertToken(
  db: DbLike,
  v: { userId: number; purpose: TokenPurpose; tokenHash: string; newEmail?: string | null; now: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('user_tokens')
    .values({ user_id: v.userId, purpose: v.purpose, token_hash: v.tokenHash, new_email: v.newEmail ?? null, created_at: v.now, expires_at: v.expiresAt, used_at: null })
    .execute();
}

export async function findToken(db: DbLike, purpose: TokenPurpose, tokenHash: string): Promise<UserToken | undefined> {
  const r = await db.selectFrom('user_tokens').selectAll().where('purpose', '=', purpose).where('token_hash', '=', tokenHash).executeTakeFirst();
  return r && { id: r.id, userId: r.user_id, purpose: r.purpose as TokenPurpose, newEmail: r.new_email, expiresAt: r.expires_at, usedAt: r.used_at };
}

/** Marks a token used; false when another request used it first (single use even under races). */
export async function useToken(db: DbLike, id: number, now: number): Promise<boolean> {
  const r = await db.updateTable('user_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Ends every unused token of a purpose, e.g. older reset links once a password was reset. */
export async function retireTokens(db: DbLike, userId: number, purpose: TokenPurpose, now: number): Promise<void> {
  await db.updateTable('user_tokens').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
}

/** Drops tokens that expired long ago (daily prune). */
export async function deleteExpiredTokens(db: DbLike, before: number): Promise<void> {
  await db.deleteFrom('user_tokens').where('expires_at', '<', before).execute();
}
