import { type Kysely, type Selectable, sql } from 'kysely';
import { HISTOGRAM_SIZE, type Database, type HistogramColumns } from '../../db/schema.ts';
import { runPrecompiled } from '../../db/precompiled.ts';
import { stringAgg } from '../../db/dialect.ts';
import { bucketStart, histogramIndex } from './rollups.ts';

type DbLike = Kysely<Database>;
export type RollupTableName = 'rollups_hourly' | 'rollups_daily';

export interface StoredResult {
  monitorId: number;
  checkedAt: number;
  ok: boolean;
  statusCode: number | null;
  responseMs: number | null;
  error: string | null;
  attempts?: number | null;
  region?: string | null;
}

/**
 * Inserts a result. The key is (monitor, ms timestamp); a second result in the same
 * millisecond (a "check now" racing the schedule) moves forward by a millisecond.
 */
export async function insertResult(db: DbLike, r: StoredResult): Promise<number> {
  for (let at = r.checkedAt; ; at++) {
    const params = [r.monitorId, at, r.ok ? 1 : 0, r.statusCode, r.responseMs, r.error, r.attempts ?? null, r.region ?? null];
    const rows = await runPrecompiled(
      db,
      'check_results.insert',
      () =>
        db
          .insertInto('check_results')
          .values({ monitor_id: 0, checked_at: 0, ok: 0, status_code: null, response_ms: null, error: null, attempts: null, region: null })
          .onConflict((oc) => oc.columns(['monitor_id', 'checked_at']).doNothing())
          .returning('checked_at'),
      params,
    );
    if (rows.length) return at;
  }
}

const hcols = Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `h${i}`) as Array<keyof HistogramColumns>;

type RollupValues = Database['rollups_hourly'];

function rollupUpsert(db: DbLike, table: RollupTableName, values: RollupValues) {
  const bump = Object.fromEntries(hcols.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]));
  return db
    .insertInto(table)
    .values(values)
    .onConflict((oc) =>
      oc.columns(['monitor_id', 'bucket_start']).doUpdateSet({
        checks: sql`${sql.ref(`${table}.checks`)} + 1`,
        failures: sql`${sql.ref(`${table}.failures`)} + ${sql.ref('excluded.failures')}`,
        rt_count: sql`${sql.ref(`${table}.rt_count`)} + ${sql.ref('excluded.rt_count')}`,
        rt_sum: sql`${sql.ref(`${table}.rt_sum`)} + ${sql.ref('excluded.rt_sum')}`,
        // Portable min/max: SQLite has min(a,b), PostgreSQL least(); CASE works in both and keeps NULLs out.
        rt_min: sql`case when ${sql.ref(`${table}.rt_min`)} is null or ${sql.ref('excluded.rt_min')} < ${sql.ref(`${table}.rt_min`)} then coalesce(${sql.ref('excluded.rt_min')}, ${sql.ref(`${table}.rt_min`)}) else ${sql.ref(`${table}.rt_min`)} end`,
        rt_max: sql`case when ${sql.ref(`${table}.rt_max`)} is null or ${sql.ref('excluded.rt_max')} > ${sql.ref(`${table}.rt_max`)} then coalesce(${sql.ref('excluded.rt_max')}, ${sql.ref(`${table}.rt_max`)}) else ${sql.ref(`${table}.rt_max`)} end`,
        ...bump,
      }),
    );
}

const ROLLUP_KEYS = ['monitor_id', 'bucket_start', 'checks', 'failures', 'rt_count', 'rt_sum', 'rt_min', 'rt_max', ...hcols] as const;

/** Adds one result to a rollup row; an upsert keyed by (monitor, bucket). */
export async function addToRollup(db: DbLike, table: RollupTableName, r: StoredResult): Promise<void> {
  const bucket = bucketStart(r.checkedAt, table === 'rollups_hourly' ? 'hour' : 'day');
  const rt = r.ok && r.responseMs !== null ? r.responseMs : null;
  const values = {
    monitor_id: r.monitorId,
    bucket_start: bucket,
    checks: 1,
    failures: r.ok ? 0 : 1,
    rt_count: rt === null ? 0 : 1,
    rt_sum: rt ?? 0,
    rt_min: rt,
    rt_max: rt,
    ...(Object.fromEntries(hcols.map((c, i) => [c, rt !== null && histogramIndex(rt) === i ? 1 : 0])) as HistogramColumns),
  } satisfies RollupValues;
  // The upsert's SQL depends only on the dialect and table: compiled once, then only bound.
  await runPrecompiled(db, `rollups.upsert:${table}`, () => rollupUpsert(db, table, values), ROLLUP_KEYS.map((k) => values[k]));
}

/** A stored result as the services use it (results written before retries or regions existed count as 1 attempt, local). */
function toResult(r: Selectable<Database['check_results']>) {
  return {
    checkedAt: r.checked_at,
    ok: r.ok === 1,
    statusCode: r.status_code,
    responseMs: r.response_ms,
    error: r.error,
    attempts: r.attempts ?? 1,
    region: r.region ?? 'local',
  };
}

export async function recentResults(db: DbLike, monitorId: number, limit: number) {
  const rows = await db
    .selectFrom('check_results')
    .selectAll()
    .where('monitor_id', '=', monitorId)
    .orderBy('checked_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toResult);
}

export async function resultsSince(db: DbLike, monitorId: number, since: number) {
  return db
    .selectFrom('check_results')
    .select(['checked_at', 'ok', 'response_ms'])
    .where('monitor_id', '=', monitorId)
    .where('checked_at', '>=', since)
    .orderBy('checked_at')
    .execute();
}

/** Sums of rollups per monitor of an account since `since`; one grouped query. */
/** Checks and failures per monitor over buckets from `since` (and before `until`, when given). */
export async function rollupSums(db: DbLike, table: RollupTableName, monitorIds: number[], since: number, until?: number) {
  if (monitorIds.length === 0) return new Map<number, { checks: number; failures: number }>();
  const rows = await db
    .selectFrom(table)
    .select((eb) => ['monitor_id', eb.fn.sum<number>('checks').as('checks'), eb.fn.sum<number>('failures').as('failures')])
    .where('monitor_id', 'in', monitorIds)
    .where('bucket_start', '>=', since)
    .$if(until !== undefined, (q) => q.where('bucket_start', '<', until!))
    .groupBy('monitor_id')
    .execute();
  return new Map(rows.map((r) => [r.monitor_id, { checks: Number(r.checks), failures: Number(r.failures) }]));
}

export interface DayMatrix {
  checks: Float64Array;
  failures: Float64Array;
}

/**
 * Checks and failures per bucket for many monitors, as dense arrays indexed by bucket
 * number from `firstBucket`. The database packs each monitor's buckets into one string
 * (group_concat / string_agg), so a 2,000-monitor page reads 2,000 rows instead of
 * building 180,000 row objects.
 */
export async function rollupMatrix(
  db: DbLike,
  table: RollupTableName,
  monitorIds: number[],
  firstBucket: number,
  bucketMs: number,
  buckets: number,
): Promise<Map<number, DayMatrix>> {
  const out = new Map<number, DayMatrix>();
  if (monitorIds.length === 0) return out;
  const item = sql`${sql.ref('bucket_start')} || ',' || ${sql.ref('checks')} || ',' || ${sql.ref('failures')}`;
  const packed = stringAgg(db, item, ';');
  const rows = await db
    .selectFrom(table)
    .select(['monitor_id', packed.as('packed')])
    .where('monitor_id', 'in', monitorIds)
    .where('bucket_start', '>=', firstBucket)
    .groupBy('monitor_id')
    .execute();
  for (const r of rows) {
    const m: DayMatrix = { checks: new Float64Array(buckets), failures: new Float64Array(buckets) };
    for (const entry of r.packed.split(';')) {
      const c1 = entry.indexOf(',');
      const c2 = entry.indexOf(',', c1 + 1);
      const idx = Math.round((Number(entry.slice(0, c1)) - firstBucket) / bucketMs);
      if (idx < 0 || idx >= buckets) continue;
      m.checks[idx] = Number(entry.slice(c1 + 1, c2));
      m.failures[idx] = Number(entry.slice(c2 + 1));
    }
    out.set(r.monitor_id, m);
  }
  return out;
}

/** A monitor's rollup rows since `since`, oldest first, with their histograms. */
export async function rollupSeries(db: DbLike, table: RollupTableName, monitorId: number, since: number) {
  const rows = await db.selectFrom(table).selectAll().where('monitor_id', '=', monitorId).where('bucket_start', '>=', since).orderBy('bucket_start').execute();
  return rows.map((r) => ({
    bucketStart: r.bucket_start,
    checks: r.checks,
    failures: r.failures,
    min: r.rt_min,
    max: r.rt_max,
    histogram: hcols.map((c) => r[c]),
  }));
}

/** Summed response-time histogram, min, max, count and sum of a monitor's rollups since `since`. */
export async function responseStats(db: DbLike, table: RollupTableName, monitorId: number, since: number) {
  const r = await db
    .selectFrom(table)
    .select((eb) => [
      eb.fn.sum<number>('rt_count').as('n'),
      eb.fn.sum<number>('rt_sum').as('sum'),
      eb.fn.min<number>('rt_min').as('min'),
      eb.fn.max<number>('rt_max').as('max'),
      ...hcols.map((c) => eb.fn.sum<number>(c).as(c)),
    ])
    .where('monitor_id', '=', monitorId)
    .where('bucket_start', '>=', since)
    .executeTakeFirst();
  const row = (r ?? {}) as Record<string, number | null>;
  return {
    count: Number(row.n ?? 0),
    sum: Number(row.sum ?? 0),
    min: row.min === null || row.min === undefined ? null : Number(row.min),
    max: row.max === null || row.max === undefined ? null : Number(row.max),
    histogram: hcols.map((c) => Number(row[c] ?? 0)),
  };
}

/** Deletes up to `batch` results older than `before` for the given monitors; returns rows deleted. */
export async function pruneResults(db: DbLike, monitorIds: number[], before: number, batch: number): Promise<number> {
  if (monitorIds.length === 0) return 0;
  let total = 0;
  for (const id of monitorIds) {
    const r = await db
      .deleteFrom('check_results')
      .where('monitor_id', '=', id)
      .where('checked_at', 'in', (eb) =>
        eb.selectFrom('check_results').select('checked_at').where('monitor_id', '=', id).where('checked_at', '<', before).limit(batch),
      )
      .executeTakeFirst();
    total += Number(r.numDeletedRows);
  }
  return total;
}

export async function pruneRollups(db: DbLike, table: RollupTableName, before: number): Promise<number> {
  const r = await db.deleteFrom(table).where('bucket_start', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * A monitor's raw results in [from, to), newest first, at most `limit`; keyset paging with
 * `before` (a checked_at from the previous page) since (monitor, checked_at) is unique.
 */
export async function resultsBetween(db: DbLike, monitorId: number, r: { from: number; to: number; before?: number; limit: number }) {
  let q = db
    .selectFrom('check_results')
    .selectAll()
    .where('monitor_id', '=', monitorId)
    .where('checked_at', '>=', r.from)
    .where('checked_at', '<', r.to);
  if (r.before !== undefined) q = q.where('checked_at', '<', r.before);
  const rows = await q.orderBy('checked_at', 'desc').limit(r.limit).execute();
  return rows.map(toResult);
}
