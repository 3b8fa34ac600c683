import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export interface MemberRow {
  userId: number;
  email: string;
  role: string;
  joinedAt: number;
}

export async function listMembers(db: DbLike, accountId: number): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id as userId', 'users.email as email', 'memberships.role as role', 'memberships.created_at as joinedAt'])
    .where('memberships.account_id', '=', accountId)
    .orderBy('memberships.created_at')
    .orderBy('users.id')
    .execute();
  return rows;
}

export async function findMember(db: DbLike, accountId: number, userId: number): Promise<MemberRow | undefined> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id as userId', 'users.email as email', 'memberships.role as role', 'memberships.created_at as joinedAt'])
    .where('memberships.account_id', '=', accountId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

export async function isMemberByEmail(db: DbLike, accountId: number, email: string): Promise<boolean> {
  const r = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.id')
    .where('memberships.account_id', '=', accountId)
    .where('users.email', '=', email)
    .executeTakeFirst();
  return !!r;
}

export async function countOwners(db: DbLike, accountId: number): Promise<number> {
  const r = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setRole(db: DbLike, accountId: number, userId: number, role: string): Promise<void> {
  await db.updateTable('memberships').set({ role }).where('account_id', '=', accountId).where('user_id', '=', userId).execute();
}

export async function deleteMembership(db: DbLike, accountId: number, userId: number): Promise<void> {
  await db.deleteFrom('memberships').where('account_id', '=', accountId).where('user_id', '=', userId).execute();
}

/** The accounts a user belongs to, oldest membership first. */
export async function accountsOfUser(db: DbLike, userId: number): Promise<{ id: number; name: string; role: string }[]> {
  return db
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .select(['accounts.id as id', 'accounts.name as name', 'memberships.role as role'])
    .where('memberships.user_id', '=', userId)
    .orderBy('memberships.created_at')
    .orderBy('accounts.id')
    .execute();
}

export async function setSessionAccount(db: DbLike, sessionId: string, accountId: number): Promise<void> {
  await db.updateTable('sessions').set({ account_id: accountId }).where('id', '=', sessionId).execute();
}

/**
 * The user's live sessions on an account they no longer belong to: moved to another of their
 * accounts, or revoked when they have none left.
 */
export async function moveSessionsOff(db: DbLike, userId: number, accountId: number, to: number | null, now: number): Promise<void> {
  const q = db.updateTable('sessions').where('user_id', '=', userId).where('account_id', '=', accountId).where('revoked_at', 'is', null);
  if (to === null) await q.set({ revoked_at: now }).execute();
  else await q.set({ account_id: to }).execute();
}

/** The address was proven by following a link sent to it. */
export async function markEmailVerified(db: DbLike, userId: number, now: number): Promise<void> {
  await db.updateTable('users').set({ email_verified_at: now }).where('id', '=', userId).execute();
}
