import type { Kysely } from 'kysely';

// Frozen: what the last automatic plan change did to the account (JSON: paused monitors,
// raised intervals, features turned off), shown on the dashboard until the owner dismisses it;
// the subscription's renewal date and pending cancellation, for the billing page; and the
// creation time of the last subscription/invoice event applied, so a late retry of an older
// event cannot undo a newer one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('plan_notice', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('current_period_end', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('accounts').addColumn('stripe_event_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const c of ['plan_notice', 'current_period_end', 'cancel_at_period_end', 'stripe_event_at']) await db.schema.alterTable('accounts').dropColumn(c).execute();
}
