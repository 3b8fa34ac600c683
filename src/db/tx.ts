import type { Kysely } from 'kysely';
import { writeTransaction } from './dialect.ts';
import type { Database } from './schema.ts';

export type Trx = Kysely<Database>;

/**
 * Runs `fn` in a write transaction (BEGIN IMMEDIATE on SQLite; see dialect.ts). Every
 * service write goes through here, so a service never needs to know the database.
 */
export function writeTx<T>(db: Kysely<Database>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return writeTransaction(db, fn);
}
