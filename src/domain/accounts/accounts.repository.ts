import { isRole, type Role } from './roles.ts';
import type { Kysely } from 'kysely';
import { lockRowForUpdate } from '../../db/dialect.ts';
import type { Database } from '../../db/schema.ts';
import type { Account, Session, User } from './accounts.ts';

type DbLike = Kysely<Database>;

export async function findAccount(db: DbLike, id: number): Promise<Account | undefined> {
  return db.selectFrom('accounts').select(['id', 'name', 'slug', 'plan']).where('id', '=', id).executeTakeFirst();
}

/**
 * Holds the account row until the transaction ends, so writers that count first (plan limits,
 * "the last owner") run one at a time per account.
 */
export function lockAccount(trx: DbLike, accountId: number): Promise<void> {
  return lockRowForUpdate(trx, 'accounts', accountId);
}

/** Every account's plan: the worker's prune applies each plan's retention. */
export function listPlans(db: DbLike): Promise<Array<{ id: number; plan: string }>> {
  return db.selectFrom('accounts').select(['id', 'plan']).execute();
}

export async function findUserByEmail(db: DbLike, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUser(db: DbLike, id: number): Promise<(User & { passwordHash: string; lastSeenAt: number | null }) | undefined> {
  const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    r && {
      id: r.id,
      email: r.email,
      isAdmin: r.is_admin === 1,
      passwordChangedAt: r.password_changed_at,
      emailVerifiedAt: r.email_verified_at,
      passwordHash: r.password_hash,
      lastSeenAt: r.last_seen_at,
    }
  );
}

/** Records activity; the condition keeps it to one write per user per `everyMs` even when requests race. */
export async function touchLastSeen(db: DbLike, userId: number, now: number, everyMs: number) {
  await db
    .updateTable('users')
    .set({ last_seen_at: now })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<=', now - everyMs)]))
    .execute();
}

export async function markEmailVerified(db: DbLike, userId: number, now: number) {
  await db.updateTable('users').set({ email_verified_at: now }).where('id', '=', userId).where('email_verified_at', 'is', null).execute();
}

/** A confirmed address change: the new address is verified by the confirmation itself. */
export async function updateEmail(db: DbLike, userId: number, email: string, now: number) {
  await db.updateTable('users').set({ email, email_verified_at: now }).where('id', '=', userId).execute();
}

/** The members of an account with these addresses who have not verified them. */
export async function unverifiedMemberEmails(db: DbLike, accountId: number, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select('users.email')
    .where('memberships.account_id', '=', accountId)
    .where('users.email', 'in', emails.map((e) => e.trim().toLowerCase()))
    .where('users.email_verified_at', 'is', null)
    .execute();
  return rows.map((r) => r.email);
}

/** The owners' addresses, for notices about the account; `verifiedOnly` skips addresses not yet verified. */
export async function ownerEmails(db: DbLike, accountId: number, opts: { verifiedOnly?: boolean } = {}): Promise<string[]> {
  let q = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.account_id', '=', accountId)
    .where('memberships.role', '=', 'owner');
  if (opts.verifiedOnly) q = q.where('users.email_verified_at', 'is not', null);
  const rows = await q.execute();
  return rows.map((r) => r.email);
}

export async function countUsers(db: DbLike): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function slugTaken(db: DbLike, slug: string): Promise<boolean> {
  const a = await db.selectFrom('accounts').select('id').where('slug', '=', slug).executeTakeFirst();
  if (a) return true;
  const p = await db.selectFrom('status_pages').select('id').where('slug', '=', slug).executeTakeFirst();
  return !!p;
}

export async function insertUser(db: DbLike, v: { email: string; passwordHash: string; isAdmin: boolean; now: number }) {
  const r = await db
    .insertInto('users')
    .values({ email: v.email, password_hash: v.passwordHash, is_admin: v.isAdmin ? 1 : 0, created_at: v.now, password_changed_at: v.now, email_verified_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function insertAccount(db: DbLike, v: { name: string; slug: string; now: number }) {
  const r = await db
    .insertInto('accounts')
    .values({ name: v.name, slug: v.slug, plan: 'free', created_at: v.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function insertMembership(db: DbLike, v: { accountId: number; userId: number; role: string; now: number }) {
  await db.insertInto('memberships').values({ account_id: v.accountId, user_id: v.userId, role: v.role, created_at: v.now }).execute();
}

/**
 * A new tenant's first status page, at the account's own slug. Written here, with the account,
 * so creating a tenant needs nothing from the status-pages context (which builds on accounts).
 */
export async function insertFirstPage(db: DbLike, v: { accountId: number; slug: string; title: string; now: number }): Promise<void> {
  await db.insertInto('status_pages').values({ account_id: v.accountId, slug: v.slug, title: v.title, created_at: v.now }).execute();
}

export async function firstAccountOfUser(db: DbLike, userId: number): Promise<number | undefined> {
  const r = await db
    .selectFrom('memberships')
    .select('account_id')
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .executeTakeFirst();
  return r?.account_id;
}

export async function updatePassword(db: DbLike, userId: number, hash: string, now: number) {
  await db.updateTable('users').set({ password_hash: hash, password_changed_at: now }).where('id', '=', userId).execute();
}

export async function renameAccount(db: DbLike, accountId: number, name: string) {
  await db.updateTable('accounts').set({ name }).where('id', '=', accountId).execute();
}

export async function setPlan(db: DbLike, accountId: number, plan: string) {
  await db.updateTable('accounts').set({ plan }).where('id', '=', accountId).execute();
}

export async function insertSession(db: DbLike, s: Session & { createdAt: number; userAgent: string | null }) {
  await db
    .insertInto('sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      account_id: s.accountId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      revoked_at: null,
      user_agent: s.userAgent,
    })
    .execute();
}

export async function findLiveSession(db: DbLike, id: string, now: number): Promise<Session | undefined> {
  const r = await db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'account_id', 'expires_at'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return r && { id: r.id, userId: r.user_id, accountId: r.account_id, expiresAt: r.expires_at };
}

export async function revokeSession(db: DbLike, id: string, now: number) {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function revokeUserSessions(db: DbLike, userId: number, now: number, exceptId?: string) {
  let q = db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  await q.execute();
}

export async function deleteExpiredSessions(db: DbLike, now: number) {
  await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
}

export async function roleOf(db: DbLike, accountId: number, userId: number): Promise<Role | null> {
  const r = await db.selectFrom('memberships').select('role').where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
  return r && isRole(r.role) ? r.role : null;
}

export async function isMember(db: DbLike, accountId: number, userId: number): Promise<boolean> {
  const r = await db.selectFrom('memberships').select('user_id').where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
  return !!r;
}
