import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Db } from '../../db/create-db.ts';

/** A page's domain claim with what verifying it needs to know. */
export interface Claim {
  pageId: number;
  accountId: number;
  title: string;
  plan: string;
  domain: string;
  token: string | null;
  verifiedAt: number | null;
}

/** Pages with a claimed domain (so `domain` is never null). */
function claims(db: Db) {
  return db
    .selectFrom('status_pages')
    .innerJoin('accounts', 'accounts.id', 'status_pages.account_id')
    .select([
      'status_pages.id as pageId',
      'status_pages.account_id as accountId',
      'status_pages.title',
      'accounts.plan',
      'status_pages.domain_token as token',
      'status_pages.domain_verified_at as verifiedAt',
      'status_pages.custom_domain as domain',
    ])
    .where('status_pages.custom_domain', 'is not', null);
}

export async function findClaim(db: Db, accountId: number, pageId: number): Promise<Claim | undefined> {
  const c = await claims(db).where('status_pages.id', '=', pageId).where('status_pages.account_id', '=', accountId).executeTakeFirst();
  return c as Claim | undefined;
}

/** Pending claims made since `since`, least recently checked first. */
export async function pendingClaims(db: Db, since: number, limit: number): Promise<Claim[]> {
  const rows = await claims(db)
    .where('status_pages.domain_verified_at', 'is', null)
    .where('status_pages.domain_claimed_at', '>=', since)
    .orderBy(sql`coalesce(status_pages.domain_checked_at, 0)`)
    .orderBy('status_pages.id')
    .limit(limit)
    .execute();
  return rows as Claim[];
}

/** Another page already serving this name, if any. */
export async function verifiedElsewhere(db: Db, domain: string, pageId: number): Promise<boolean> {
  const row = await db
    .selectFrom('status_pages')
    .select('id')
    .where('custom_domain', '=', domain)
    .where('domain_verified_at', 'is not', null)
    .where('id', '!=', pageId)
    .executeTakeFirst();
  return !!row;
}

/** Another page of the same account claiming this name (pending or verified). */
export async function claimedInAccount(db: Db, accountId: number, domain: string, pageId: number): Promise<boolean> {
  const row = await db
    .selectFrom('status_pages')
    .select('id')
    .where('custom_domain', '=', domain)
    .where('account_id', '=', accountId)
    .where('id', '!=', pageId)
    .executeTakeFirst();
  return !!row;
}

/** The page still holds this very claim, pending: same name, same token, not verified meanwhile. */
function sameClaim(eb: ExpressionBuilder<Database, 'status_pages'>, c: Claim) {
  return eb.and([
    eb('id', '=', c.pageId),
    eb('custom_domain', '=', c.domain),
    eb('domain_verified_at', 'is', null),
    c.token === null ? eb('domain_token', 'is', null) : eb('domain_token', '=', c.token),
  ]);
}

/** Whether the page still holds this very pending claim. */
export async function stillPending(db: Db, c: Claim): Promise<boolean> {
  const r = await db
    .selectFrom('status_pages')
    .select('id')
    .where((eb) => sameClaim(eb, c))
    .executeTakeFirst();
  return !!r;
}

/** Marks the claim verified if it is still the same pending claim; false when it changed meanwhile. */
export async function markVerified(db: Db, c: Claim, now: number): Promise<boolean> {
  const r = await db
    .updateTable('status_pages')
    .set({ domain_verified_at: now, domain_token: null, domain_checked_at: now, domain_check_result: null })
    .where((eb) => sameClaim(eb, c))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Clears every other claim of the name, leaving each page a notice; returns what was released.
 * Pending claims only, unless `verifiedToo` (a fresh DNS proof displaces an older verification).
 */
export async function releaseClaims(db: Db, domain: string, keepPageId: number, verifiedToo = false) {
  const released = await db
    .selectFrom('status_pages')
    .select(['id', 'account_id', 'title', 'domain_verified_at'])
    .where('custom_domain', '=', domain)
    .$if(!verifiedToo, (q) => q.where('domain_verified_at', 'is', null))
    .where('id', '!=', keepPageId)
    .execute();
  if (!released.length) return released;
  await db
    .updateTable('status_pages')
    .set({
      custom_domain: null, domain_token: null, domain_claimed_at: null, domain_verified_at: null,
      domain_checked_at: null, domain_check_result: null, domain_released: domain,
    })
    .where('id', 'in', released.map((r) => r.id))
    .$if(!verifiedToo, (q) => q.where('domain_verified_at', 'is', null))
    .execute();
  return released;
}

/** Remembers what the last lookup found, unless the claim changed meanwhile. */
export async function saveCheck(db: Db, c: Claim, now: number, result: string): Promise<void> {
  await db
    .updateTable('status_pages')
    .set({ domain_checked_at: now, domain_check_result: result })
    .where('id', '=', c.pageId)
    .where('custom_domain', '=', c.domain)
    .where('domain_verified_at', 'is', null)
    .execute();
}
