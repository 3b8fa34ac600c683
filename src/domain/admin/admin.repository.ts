import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

export interface AdminUserRow {
  id: number;
  email: string;
  isAdmin: boolean;
  verifiedAt: number | null;
  createdAt: number;
  lastSeenAt: number | null;
  accounts: number;
}

export interface AdminAccountRow {
  id: number;
  name: string;
  slug: string;
  plan: string;
  createdAt: number;
  monitors: number;
  members: number;
}

/** Every user of the instance, newest first (instance admins only). */
export async function listUsers(db: DbLike, limit = 500): Promise<AdminUserRow[]> {
  const rows = await db
    .selectFrom('users')
    .select((eb) => [
      'users.id',
      'users.email',
      'users.is_admin',
      'users.email_verified_at',
      'users.created_at',
      'users.last_seen_at',
      eb.selectFrom('memberships').select((e) => e.fn.countAll<number>().as('n')).whereRef('memberships.user_id', '=', 'users.id').as('accounts'),
    ])
    .orderBy('users.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    isAdmin: r.is_admin === 1,
    verifiedAt: r.email_verified_at,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    accounts: Number(r.accounts ?? 0),
  }));
}

/** Every account with its size, newest first. */
export async function listAccounts(db: DbLike, limit = 500): Promise<AdminAccountRow[]> {
  const rows = await db
    .selectFrom('accounts')
    .select((eb) => [
      'accounts.id',
      'accounts.name',
      'accounts.slug',
      'accounts.plan',
      'accounts.created_at',
      eb.selectFrom('monitors').select((e) => e.fn.countAll<number>().as('n')).whereRef('monitors.account_id', '=', 'accounts.id').as('monitors'),
      eb.selectFrom('memberships').select((e) => e.fn.countAll<number>().as('n')).whereRef('memberships.account_id', '=', 'accounts.id').as('members'),
    ])
    .orderBy('accounts.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    slug: r.slug,
    plan: r.plan,
    createdAt: r.created_at,
    monitors: Number(r.monitors ?? 0),
    members: Number(r.members ?? 0),
  }));
}
