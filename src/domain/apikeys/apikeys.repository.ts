import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { isDbId } from '../../lib/ids.ts';
import type { ApiKey, Scope } from './apikeys.ts';

type DbLike = Kysely<Database>;
type Row = Selectable<Database['api_keys']>;

function toKey(r: Row): ApiKey {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name,
    scope: r.scope as Scope,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export async function insert(
  db: DbLike,
  v: { accountId: number; name: string; scope: Scope; prefix: string; keyHash: string; createdBy: number | null; now: number },
): Promise<number> {
  const r = await db
    .insertInto('api_keys')
    .values({ account_id: v.accountId, name: v.name, scope: v.scope, prefix: v.prefix, key_hash: v.keyHash, created_by: v.createdBy, created_at: v.now, last_used_at: null, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Live keys first, newest first. */
export async function listByAccount(db: DbLike, accountId: number): Promise<ApiKey[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').execute();
  return rows.map(toKey).sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

export async function findInAccount(db: DbLike, accountId: number, id: number): Promise<ApiKey | undefined> {
  if (!isDbId(id)) return undefined;
  const r = await db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return r && toKey(r);
}

/** Unscoped by design: the key itself is the credential. */
export async function findByHash(db: DbLike, keyHash: string): Promise<ApiKey | undefined> {
  const r = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  return r && toKey(r);
}

export async function revokeInAccount(db: DbLike, accountId: number, id: number, now: number): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db.updateTable('api_keys').set({ revoked_at: now }).where('account_id', '=', accountId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function touch(db: DbLike, id: number, now: number): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
}
