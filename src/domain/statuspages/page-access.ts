import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/create-db.ts';
import { verifyPassword } from '../../lib/password.ts';
import { PLAN_FEATURES } from '../billing/plans.ts';
import { accessBySlug, verifiedForDomain } from './pages.repository.ts';

export type PageAccess = 'public' | 'password' | 'members';

export interface PageGate {
  slug: string;
  accountId: number;
  access: PageAccess;
  passwordHash: string | null;
}

export async function pageGate(db: Db, slug: string): Promise<PageGate | undefined> {
  const p = await accessBySlug(db, slug);
  return p && { slug: p.slug, accountId: p.account_id, access: p.access as PageAccess, passwordHash: p.password_hash };
}

/**
 * The unlock cookie of a password-protected page: an HMAC of the page and its current
 * password hash, so changing the password locks out everyone who had the old one.
 */
export function unlockToken(secret: string, gate: PageGate): string {
  return createHmac('sha256', secret).update(`page:${gate.slug}:${gate.passwordHash ?? ''}`).digest('base64url');
}

export function unlockValid(secret: string, gate: PageGate, cookie: string | undefined): boolean {
  if (!cookie) return false;
  const want = Buffer.from(unlockToken(secret, gate));
  const got = Buffer.from(cookie);
  return want.length === got.length && timingSafeEqual(want, got);
}

export async function passwordMatches(gate: PageGate, password: string): Promise<boolean> {
  return !!gate.passwordHash && (await verifyPassword(gate.passwordHash, password));
}

/**
 * The page served on a custom domain (Host header), if any: only a verified claim (a pending
 * one may be anybody's). In SaaS mode only while the account is on a plan with custom
 * domains: after a downgrade the name is kept, not served.
 */
export async function pageForDomain(db: Db, host: string, selfHosted = true): Promise<string | undefined> {
  const p = await verifiedForDomain(db, host.toLowerCase());
  if (!p || (!selfHosted && !PLAN_FEATURES.customDomain(p.plan))) return undefined;
  return p.slug;
}
