import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { migrate } from '../../src/db/migrate.ts';
import { isPostgres } from '../../src/db/dialect.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';

describe.each(testDbKinds())('upgrading to email verification on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  it('users who existed before the upgrade count as verified since they signed up; new ones do not', async () => {
    const schema = isPostgres(t.db) ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.db)).rows[0]?.s : undefined;
    const migrator = new Migrator({ db: t.db, provider: { getMigrations: async () => migrations }, migrationTableSchema: schema });
    const down = await migrator.migrateTo('20261122_012_teams_billing_api');
    expect(down.error).toBeUndefined();
    const created = Date.UTC(2026, 5, 1);
    await t.db.insertInto('users').values({ email: 'old@example.com', password_hash: 'x', is_admin: 1, created_at: created, password_changed_at: created }).execute();
    expect(await migrate(t.db)).toContain('20261122_016_account_lifecycle');
    const old = await t.db.selectFrom('users').selectAll().where('email', '=', 'old@example.com').executeTakeFirstOrThrow();
    expect(old.email_verified_at).toBe(created);
    await t.db.insertInto('users').values({ email: 'new@example.com', password_hash: 'x', is_admin: 0, created_at: created + 1, password_changed_at: created + 1 }).execute();
    expect((await t.db.selectFrom('users').select('email_verified_at').where('email', '=', 'new@example.com').executeTakeFirstOrThrow()).email_verified_at).toBeNull();
  });
});
