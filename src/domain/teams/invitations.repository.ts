import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export interface InvitationRow {
  id: number;
  account_id: number;
  email: string;
  role: string;
  invited_by: number | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = ['id', 'account_id', 'email', 'role', 'invited_by', 'created_at', 'expires_at', 'accepted_at', 'revoked_at'] as const;

export async function insert(db: DbLike, v: { accountId: number; email: string; role: string; tokenHash: string; invitedBy: number | null; now: number; expiresAt: number }): Promise<number> {
  const r = await db
    .insertInto('invitations')
    .values({ account_id: v.accountId, email: v.email, role: v.role, token_hash: v.tokenHash, invited_by: v.invitedBy, created_at: v.now, expires_at: v.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Invitations neither accepted nor revoked that are still valid, newest first. */
export async function listPending(db: DbLike, accountId: number, now: number): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .select(COLUMNS)
    .where('account_id', '=', accountId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .execute();
}

export async function findByHash(db: DbLike, tokenHash: string): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').select(COLUMNS).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findInAccount(db: DbLike, accountId: number, id: number): Promise<InvitationRow | undefined> {
  return db.selectFrom('invitations').select(COLUMNS).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** Revokes a pending invitation of the account; false when there is none with that id. */
export async function revoke(db: DbLike, accountId: number, id: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Revokes every pending invitation of an address (a new one replaces them). */
export async function revokePendingFor(db: DbLike, accountId: number, email: string, now: number): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Claims the invitation for one use; false if it was used, revoked or expired meanwhile. */
export async function claim(db: DbLike, id: number, now: number): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ accepted_at: now })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
