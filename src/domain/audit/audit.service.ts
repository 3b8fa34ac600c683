import type { Db } from '../../db/create-db.ts';
import { isDbId } from '../../lib/ids.ts';
import { listAudit } from './audit.repository.ts';

export type { AuditActor, AuditBy } from './audit.repository.ts';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditView {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  /** Details as "key: value" pairs, short enough for a table cell. */
  summary: string;
  ip: string | null;
}

/** Flattens the JSON details into one readable line; long values are cut. */
export function summarise(details: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details.slice(0, 200);
  }
  if (!parsed || typeof parsed !== 'object') return '';
  const parts = Object.entries(parsed as Record<string, unknown>).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return `${k.replace(/_/g, ' ')}: ${text.length > 80 ? `${text.slice(0, 77)}…` : text}`;
  });
  return parts.join(' · ');
}

/** One page of the account's audit log, newest first; `older` is the cursor of the next page. */
export async function auditPage(db: Db, accountId: number, before?: number): Promise<{ entries: AuditView[]; older: number | null }> {
  const rows = await listAudit(db, accountId, { before: before && isDbId(before) ? before : undefined, limit: AUDIT_PAGE_SIZE + 1 });
  const entries = rows.slice(0, AUDIT_PAGE_SIZE).map((r) => ({
    id: r.id,
    at: r.created_at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    summary: summarise(r.details),
    ip: r.ip,
  }));
  return { entries, older: rows.length > AUDIT_PAGE_SIZE ? entries[entries.length - 1]!.id : null };
}
