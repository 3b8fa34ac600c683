import { Migrator } from 'kysely';
import { currentSchema } from './dialect.ts';
import { migrations } from '../../migrations/index.ts';
import type { Db } from './create-db.ts';

/**
 * Applies every pending migration; throws naming the failing one. Migrations come from a
 * static list rather than a directory scan so they load the same way under tsx and vitest.
 */
export async function migrate(db: Db): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in any schema unless told which one, so name
  // the schema in use: a second StatusPing schema in the same database must not confuse it.
  const schema = await currentSchema(db);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`Migration failed${name}: ${(error as Error).message ?? String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
