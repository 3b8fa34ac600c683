import type { Context, MiddlewareHandler } from 'hono';
import { type Action, can } from '../../domain/accounts/roles.ts';
import type { AuditBy } from '../../domain/audit/audit.service.ts';
import { ForbiddenError } from '../../lib/errors.ts';
import type { AppEnv } from '../deps.ts';
import { authOf } from './session.ts';

/** Throws 403 unless the signed-in member's role allows the action. */
export function assertCan(c: Context<AppEnv>, action: Action): void {
  const auth = authOf(c);
  if (!can(auth.role, action)) throw new ForbiddenError(`Your role (${auth.role}) cannot do this. Ask an admin or the owner of ${auth.account.name}.`);
}

/** Route middleware form of assertCan. */
export function requireRole(action: Action): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertCan(c, action);
    await next();
  };
}

/** The signed-in user and client address, for the audit log entries of a change. */
export function auditBy(c: Context<AppEnv>): AuditBy {
  const { user } = authOf(c);
  return { actor: { userId: user.id, email: user.email }, ip: c.get('clientIp') ?? null };
}
