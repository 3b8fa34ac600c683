import type { Db as DbLike } from '../../db/create-db.ts';

/** Who did something: a signed-in user or an API key (names kept as they were at the time). */
export type AuditActor = { userId: number; email: string } | { apiKeyId: number; keyName: string } | { system: string };

/** Who is acting and from where, passed to service verbs that record what they change. */
export interface AuditBy {
  actor: AuditActor;
  ip?: string | null;
}

export interface AuditEntry {
  accountId: number;
  actor: AuditActor;
  /** Dotted verb, e.g. monitor.created, member.invited, apikey.revoked, billing.plan_changed. */
  action: string;
  /** What it was done to, e.g. "monitor 12 (API)". */
  target?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
  at: number;
}

/** Appends to the account's audit log; call inside the transaction of the change it records. */
export async function recordAudit(db: DbLike, e: AuditEntry): Promise<void> {
  const a = e.actor;
  await db
    .insertInto('audit_log')
    .values({
      account_id: e.accountId,
      user_id: 'userId' in a ? a.userId : null,
      api_key_id: 'apiKeyId' in a ? a.apiKeyId : null,
      actor: 'userId' in a ? a.email : 'apiKeyId' in a ? `API key "${a.keyName}"` : a.system,
      action: e.action,
      target: e.target ?? '',
      details: JSON.stringify(e.details ?? {}),
      ip: e.ip ?? null,
      created_at: e.at,
    })
    .execute();
}

/** Newest first, paged by id. */
export async function listAudit(db: DbLike, accountId: number, opts: { before?: number; limit?: number } = {}) {
  let q = db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
  if (opts.before) q = q.where('id', '<', opts.before);
  return q.orderBy('id', 'desc').limit(Math.min(opts.limit ?? 50, 200)).execute();
}
