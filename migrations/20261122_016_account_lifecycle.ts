import type { Kysely } from 'kysely';

// Frozen: email verification starts with this release. Users who signed up before it count as
// verified (at their sign-up time), so an upgrade does not silence their email alerts.

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('users')
    .set((eb: any) => ({ email_verified_at: eb.ref('created_at') }))
    .where('email_verified_at', 'is', null)
    .execute();
}

export async function down(): Promise<void> {
  // Nothing to undo: a backfilled date cannot be told from a real verification.
}
