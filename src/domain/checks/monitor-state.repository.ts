import type { Kysely } from 'kysely';
import { runPrecompiled } from '../../db/precompiled.ts';
import type { Database } from '../../db/schema.ts';
import { isDbId } from '../../lib/ids.ts';
import type { MonitorStatus } from './state-machine.ts';

/**
 * The checks context's own view of the monitors row: the fields a result is judged by and
 * the run state checks write (status, failures, last check, flapping, heartbeat pings). The
 * monitors context builds on checks (its input names check types), so checks read and write
 * these columns here instead of importing monitors.
 */

type DbLike = Kysely<Database>;

export interface MonitorToJudge {
  id: number;
  accountId: number;
  name: string;
  url: string;
  isPaused: boolean;
  status: MonitorStatus;
  consecutiveFailures: number;
  failureThreshold: number;
  degradedMs: number | null;
  flappingSince: number | null;
}

const JUDGE_COLUMNS = ['id', 'account_id', 'name', 'url', 'is_paused', 'status', 'consecutive_failures', 'failure_threshold', 'degraded_ms', 'flapping_since'] as const;
type JudgeRow = Pick<Database['monitors'], Exclude<(typeof JUDGE_COLUMNS)[number], 'id'>> & { id: number };

/** Unscoped: for recording results on behalf of every account. Runs once per check. */
export async function monitorToJudge(db: DbLike, id: number): Promise<MonitorToJudge | undefined> {
  const [r] = await runPrecompiled<JudgeRow>(db, 'checks.monitorToJudge', () => db.selectFrom('monitors').select(JUDGE_COLUMNS).where('id', '=', 0), [id]);
  return (
    r && {
      id: r.id,
      accountId: r.account_id,
      name: r.name,
      url: r.url,
      isPaused: r.is_paused === 1,
      status: r.status as MonitorStatus,
      consecutiveFailures: r.consecutive_failures,
      failureThreshold: r.failure_threshold,
      degradedMs: r.degraded_ms,
      flappingSince: r.flapping_since,
    }
  );
}

/** The state and last-check fields written after every check (not updated_at: not a user edit). */
export async function saveCheckState(
  db: DbLike,
  id: number,
  v: { status: string; consecutiveFailures: number; at: number; ok: boolean; statusCode: number | null; responseMs: number | null; error: string | null },
): Promise<void> {
  await runPrecompiled(
    db,
    'checks.saveCheckState',
    () =>
      db
        .updateTable('monitors')
        .set({ status: '', consecutive_failures: 0, last_checked_at: 0, last_ok: 0, last_status_code: null, last_response_ms: null, last_error: null })
        .where('id', '=', 0),
    [v.status, v.consecutiveFailures, v.at, v.ok ? 1 : 0, v.statusCode, v.responseMs, v.error, id],
  );
}

/** Starts (a time) or ends (null) a flapping spell. */
export async function setFlappingSince(db: DbLike, monitorId: number, at: number | null): Promise<void> {
  await db.updateTable('monitors').set({ flapping_since: at }).where('id', '=', monitorId).execute();
}

export interface Heartbeat {
  id: number;
  type: string;
  isPaused: boolean;
  runStartedAt: number | null;
}

/** Unscoped by design: the push token is the credential. */
export async function heartbeatByToken(db: DbLike, token: string): Promise<Heartbeat | undefined> {
  const r = await db.selectFrom('monitors').select(['id', 'type', 'is_paused', 'run_started_at']).where('push_token', '=', token).executeTakeFirst();
  return r && { id: r.id, type: r.type, isPaused: r.is_paused === 1, runStartedAt: r.run_started_at };
}

/** A job said it started: its run time counts from now. */
export async function markRunStarted(db: DbLike, monitorId: number, at: number): Promise<void> {
  await db.updateTable('monitors').set({ run_started_at: at }).where('id', '=', monitorId).execute();
}

/** A job pinged its result: the heartbeat is due again one period from now. */
export async function markPinged(db: DbLike, monitorId: number, at: number): Promise<void> {
  await db.updateTable('monitors').set({ last_ping_at: at, run_started_at: null }).where('id', '=', monitorId).execute();
}

/** Whether the monitor is the account's (results are only shown to their owner). */
export async function monitorInAccount(db: DbLike, accountId: number, monitorId: number): Promise<boolean> {
  if (!isDbId(monitorId)) return false;
  const r = await db.selectFrom('monitors').select('id').where('account_id', '=', accountId).where('id', '=', monitorId).executeTakeFirst();
  return !!r;
}

/** Ids of the account's monitors, for pruning their results under the account's plan. */
export async function monitorIdsOfAccount(db: DbLike, accountId: number): Promise<number[]> {
  return (await db.selectFrom('monitors').select('id').where('account_id', '=', accountId).execute()).map((r) => r.id);
}

/** Keeps the screenshot of the last failed browser journey (one per monitor). */
export async function saveScreenshot(db: DbLike, monitorId: number, at: number, png: Buffer): Promise<void> {
  await db
    .insertInto('monitor_screenshots')
    .values({ monitor_id: monitorId, taken_at: at, png })
    .onConflict((oc) => oc.column('monitor_id').doUpdateSet({ taken_at: at, png }))
    .execute();
}

export function findScreenshot(db: DbLike, monitorId: number): Promise<{ png: Buffer; taken_at: number } | undefined> {
  return db.selectFrom('monitor_screenshots').select(['png', 'taken_at']).where('monitor_id', '=', monitorId).executeTakeFirst();
}
