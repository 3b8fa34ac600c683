import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, PlanLimitError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import type { PlanPolicy } from '../billing/plans.ts';
import * as repo from './apikeys.repository.ts';
import { type ApiKey, type ApiPrincipal, apiAccess, createKeySchema, DISPLAY_PREFIX_LENGTH, hashKey, KEY_PREFIX, LAST_USED_GRANULARITY_MS, looksLikeKey } from './apikeys.ts';

export interface ApiKeyDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
}

/** The signed-in member managing keys (the route has already checked their role). */
export interface KeyActor {
  accountId: number;
  userId: number;
  email: string;
  ip: string | null;
}

/** Throws PlanLimitError unless the account's plan includes the API. */
export async function requireApiPlan(deps: ApiKeyDeps, accountId: number): Promise<number> {
  const account = await findAccount(deps.db, accountId);
  if (!account) throw new NotFoundError('Account');
  const access = apiAccess(deps.policy, account.plan);
  if (!access.allowed) throw new PlanLimitError(access.message);
  return access.perMinute;
}

export function listKeys(deps: ApiKeyDeps, accountId: number): Promise<ApiKey[]> {
  return repo.listByAccount(deps.db, accountId);
}

/** Creates a key; the returned `secret` is the only time the whole key exists outside the caller. */
export async function createKey(deps: ApiKeyDeps, actor: KeyActor, raw: unknown): Promise<{ key: ApiKey; secret: string }> {
  await requireApiPlan(deps, actor.accountId);
  const input = parseInput(createKeySchema, raw);
  const secret = `${KEY_PREFIX}${randomToken(24)}`;
  const now = deps.clock.now();
  const id = await writeTx(deps.db, async (trx) => {
    const id = await repo.insert(trx, {
      accountId: actor.accountId, name: input.name, scope: input.scope, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), keyHash: hashKey(secret), createdBy: actor.userId, now,
    });
    await recordAudit(trx, {
      accountId: actor.accountId, actor: { userId: actor.userId, email: actor.email }, action: 'apikey.created',
      target: `API key ${id} (${input.name})`, details: { scope: input.scope }, ip: actor.ip, at: now,
    });
    return id;
  });
  return { key: (await repo.findInAccount(deps.db, actor.accountId, id))!, secret };
}

/** Revokes a live key of the account; requests with it are refused from then on. */
export async function revokeKey(deps: ApiKeyDeps, actor: KeyActor, id: number): Promise<void> {
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    const key = await repo.findInAccount(trx, actor.accountId, id);
    if (!key || !(await repo.revokeInAccount(trx, actor.accountId, id, now))) throw new NotFoundError('API key');
    await recordAudit(trx, {
      accountId: actor.accountId, actor: { userId: actor.userId, email: actor.email }, action: 'apikey.revoked',
      target: `API key ${id} (${key.name})`, ip: actor.ip, at: now,
    });
  });
}

/**
 * The principal behind a presented key, or null for an unknown or revoked one. Throws
 * PlanLimitError when the account's plan no longer includes the API (after a downgrade).
 * last_used_at is written at most once a minute per key.
 */
export async function authenticate(deps: ApiKeyDeps, presented: string): Promise<ApiPrincipal | null> {
  if (!looksLikeKey(presented)) return null;
  const key = await repo.findByHash(deps.db, hashKey(presented));
  if (!key || key.revokedAt !== null) return null;
  const perMinute = await requireApiPlan(deps, key.accountId);
  const now = deps.clock.now();
  if (key.lastUsedAt === null || now - key.lastUsedAt >= LAST_USED_GRANULARITY_MS) await repo.touch(deps.db, key.id, now);
  return { keyId: key.id, keyName: key.name, accountId: key.accountId, scope: key.scope, perMinute };
}
