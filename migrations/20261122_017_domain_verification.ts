import { type Kysely, sql } from 'kysely';

// Frozen: custom domains are proven by a DNS TXT record before a page answers on them.
// A claim is pending (token set, not verified) until then; only verified names must be unique,
// so several accounts may claim one name and the one that proves it keeps it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_pages').addColumn('domain_token', 'text').execute();
  await db.schema.alterTable('status_pages').addColumn('domain_claimed_at', 'bigint').execute();
  await db.schema.alterTable('status_pages').addColumn('domain_verified_at', 'bigint').execute();
  await db.schema.alterTable('status_pages').addColumn('domain_checked_at', 'bigint').execute();
  await db.schema.alterTable('status_pages').addColumn('domain_check_result', 'text').execute();
  // The name of a pending claim released because another account proved the domain (shown once).
  await db.schema.alterTable('status_pages').addColumn('domain_released', 'text').execute();
  // Domains set before this release were already served: they count as verified, so an upgrade keeps them up.
  await db
    .updateTable('status_pages')
    .set((eb: any) => ({ domain_verified_at: eb.ref('created_at'), domain_claimed_at: eb.ref('created_at') }))
    .where('custom_domain', 'is not', null)
    .execute();
  await db.schema.dropIndex('status_pages_domain').execute();
  await db.schema
    .createIndex('status_pages_domain_verified')
    .on('status_pages')
    .column('custom_domain')
    .unique()
    .where(sql.ref('domain_verified_at'), 'is not', null)
    .execute();
  await db.schema.createIndex('status_pages_domain_claims').on('status_pages').column('custom_domain').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('status_pages_domain_claims').execute();
  await db.schema.dropIndex('status_pages_domain_verified').execute();
  // Pending claims may share a name; only verified ones survive under the old unique index.
  await db.updateTable('status_pages').set({ custom_domain: null }).where('domain_verified_at', 'is', null).execute();
  await db.schema.createIndex('status_pages_domain').on('status_pages').column('custom_domain').unique().execute();
  for (const c of ['domain_token', 'domain_claimed_at', 'domain_verified_at', 'domain_checked_at', 'domain_check_result', 'domain_released']) {
    await db.schema.alterTable('status_pages').dropColumn(c).execute();
  }
}
