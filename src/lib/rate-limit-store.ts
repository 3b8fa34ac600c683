import pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { dbKind } from '../db/create-db.ts';
import type { Clock } from './clock.ts';
import { memoryRateLimits, type RateLimits, type RateLimitsOptions, rateLimitsOver } from './rate-limit.ts';

/** The table rate-limiter-flexible creates and manages itself (key, points, expire). */
const TABLE = 'rate_limits';

/**
 * The limiters for this database: on PostgreSQL every web process counts in one shared table,
 * so running several does not multiply the limits; on SQLite (one web process) in memory.
 */
export function createRateLimits(databaseUrl: string, clock: Clock, opts: RateLimitsOptions = {}): Promise<RateLimits> {
  return dbKind(databaseUrl) === 'postgres' ? postgresRateLimits(databaseUrl, clock, opts) : Promise.resolve(memoryRateLimits(clock, opts));
}

/**
 * Limiters in PostgreSQL, over a small pool of their own (Kysely's pool is not exposed, and a
 * burst of limit checks should not queue behind the app's queries). Each limiter is a key
 * prefix in the one table; rows are atomic upserts, so processes never lose each other's hits.
 */
export async function postgresRateLimits(databaseUrl: string, clock: Clock, opts: RateLimitsOptions = {}): Promise<RateLimits> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, allowExitOnIdle: true });
  // A connection the server dropped while idle: the next query opens a new one.
  pool.on('error', () => {});
  const base = { storeClient: pool, storeType: 'pool', tableName: TABLE };
  try {
    // 1. One limiter creates the table if needed (the library copes with processes starting
    //    together) and, every five minutes, deletes rows that expired an hour ago, for all limiters.
    //    Two processes racing on CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's
    //    catalogue ("type rate_limits already exists"); the loser's second try finds the table.
    for (let attempt = 1; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          new RateLimiterPostgres({ ...base, keyPrefix: 'sp:sweeper', points: 1, duration: 1, tableCreated: false, clearExpiredByTimeout: true }, (err) => (err ? reject(err) : resolve()));
        });
        break;
      } catch (err) {
        if (attempt >= 3 || !/already exists|pg_type_typname_nsp_index/.test(String((err as Error)?.message ?? err))) throw err;
      }
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  // 2. Every limiter then uses the table as it is.
  return rateLimitsOver(
    'postgres',
    clock,
    opts,
    (keyPrefix, points, duration) => new RateLimiterPostgres({ ...base, keyPrefix, points, duration, tableCreated: true, clearExpiredByTimeout: false }),
    () => pool.end(),
  );
}
