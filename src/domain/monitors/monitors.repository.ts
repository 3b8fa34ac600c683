import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { runPrecompiled } from '../../db/precompiled.ts';
import { isDbId } from '../../lib/ids.ts';
import { CHECK_TYPES } from '../checks/probes/index.ts';
import { readStoredSettings } from '../checks/probes/registry.ts';
import type { MonitorStatus } from '../checks/state-machine.ts';
import type { HttpMethod, Monitor, MonitorType } from './monitors.ts';

type Row = Selectable<Database['monitors']>;
type DbLike = Kysely<Database>;

export function toMonitor(r: Row): Monitor {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type as MonitorType,
    // Through the type's schema, so rows stored before settings were typed load as typed values.
    settings: readStoredSettings(CHECK_TYPES.get(r.type), JSON.parse(r.settings) as Record<string, unknown>, { url: r.url, method: r.method, expected_status: r.expected_status, keyword: r.keyword }),
    retries: r.retries,
    degradedMs: r.degraded_ms,
    pushToken: r.push_token,
    lastPingAt: r.last_ping_at,
    runStartedAt: r.run_started_at,
    name: r.name,
    url: r.url,
    method: r.method as HttpMethod,
    expectedStatus: r.expected_status,
    keyword: r.keyword,
    timeoutMs: r.timeout_ms,
    intervalSeconds: r.interval_s,
    isPublic: r.is_public === 1,
    failureThreshold: r.failure_threshold,
    isPaused: r.is_paused === 1,
    status: r.status as MonitorStatus,
    consecutiveFailures: r.consecutive_failures,
    lastCheckedAt: r.last_checked_at,
    lastOk: r.last_ok === null ? null : r.last_ok === 1,
    lastStatusCode: r.last_status_code,
    lastResponseMs: r.last_response_ms,
    lastError: r.last_error,
    checkRequestedAt: r.check_requested_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    reminderHours: r.reminder_hours,
    flappingSince: r.flapping_since,
    pausedReason: r.paused_reason ?? null,
  };
}

export async function listByAccount(db: DbLike, accountId: number): Promise<Monitor[]> {
  const rows = await db.selectFrom('monitors').selectAll().where('account_id', '=', accountId).orderBy('name').orderBy('id').execute();
  return rows.map(toMonitor);
}


export async function findInAccount(db: DbLike, accountId: number, id: number): Promise<Monitor | undefined> {
  if (!isDbId(id)) return undefined;
  const row = await db
    .selectFrom('monitors')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toMonitor(row);
}

/** Unscoped: for the worker only, which acts on behalf of every account. Runs twice per check. */
export async function findById(db: DbLike, id: number): Promise<Monitor | undefined> {
  const [row] = await runPrecompiled<Row>(db, 'monitors.findById', () => db.selectFrom('monitors').selectAll().where('id', '=', 0), [id]);
  return row && toMonitor(row);
}

export async function countInAccount(db: DbLike, accountId: number): Promise<number> {
  const r = await db
    .selectFrom('monitors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countRunning(db: DbLike, accountId: number): Promise<number> {
  const r = await db
    .selectFrom('monitors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('is_paused', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insert(db: DbLike, values: Insertable<Database['monitors']>): Promise<number> {
  const r = await db.insertInto('monitors').values(values).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateInAccount(
  db: DbLike,
  accountId: number,
  id: number,
  values: Updateable<Database['monitors']>,
): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db.updateTable('monitors').set(values).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteInAccount(db: DbLike, accountId: number, id: number): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db.deleteFrom('monitors').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Schedule-relevant fields of monitors changed at or after `since` (the worker's reconcile cursor). */
export async function changedSince(db: DbLike, since: number) {
  return db
    .selectFrom('monitors')
    .select(['id', 'interval_s', 'is_paused', 'updated_at', 'check_requested_at', 'last_checked_at'])
    .where('updated_at', '>=', since)
    .execute();
}

export async function allIds(db: DbLike): Promise<number[]> {
  const rows = await db.selectFrom('monitors').select('id').execute();
  return rows.map((r) => r.id);
}
