import { createHash } from 'node:crypto';
import { z } from 'zod';
import { nameText } from '../../lib/validate.ts';
import { limitsFor, type PlanPolicy } from '../billing/plans.ts';

/** Every key starts with this, so leaked keys are easy to recognise (and to scan for). */
export const KEY_PREFIX = 'sp_live_';
/** How much of a key lists show to tell keys apart: the prefix and 4 random characters. */
export const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 4;

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: number;
  accountId: number;
  name: string;
  scope: Scope;
  /** e.g. "sp_live_Ab3x": the start of the key, never the key. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** The key behind an API request. */
export interface ApiPrincipal {
  keyId: number;
  keyName: string;
  accountId: number;
  scope: Scope;
  /** Requests per minute this key may make. */
  perMinute: number;
}

export const createKeySchema = z.object({
  name: nameText().min(1, 'Give the key a name, e.g. "Terraform" or "CI"').max(80, 'Keep the name under 80 characters'),
  scope: z.enum(SCOPES, { message: 'Choose read or write' }),
});

/** Only the SHA-256 of a key is stored; a key has 192 random bits, so no salt or slow hash is needed. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** last_used_at is written at most this often per key, so a busy key does not write on every request. */
export const LAST_USED_GRANULARITY_MS = 60_000;

/** Requests per minute: one API key on the Business plan, on a self-hosted instance, and per IP without a valid key. */
export const API_RATE = { business: 600, selfHosted: 1200, anonymousPerIp: 60 } as const;

/** Whether an account may use the API, and how fast; the message names the plan when it may not. */
export function apiAccess(policy: PlanPolicy, plan: string): { allowed: true; perMinute: number } | { allowed: false; message: string } {
  if (policy.selfHosted) return { allowed: true, perMinute: API_RATE.selfHosted };
  if (plan === 'business') return { allowed: true, perMinute: API_RATE.business };
  return { allowed: false, message: `${limitsFor(policy, plan).label} does not include the API; API keys come with the Business plan.` };
}

/** True when `key` has the shape of one of our keys (cheap check before hashing). */
export function looksLikeKey(key: string): boolean {
  return key.startsWith(KEY_PREFIX) && /^[A-Za-z0-9_-]{20,100}$/.test(key);
}
