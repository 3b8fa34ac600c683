import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/**
 * Open incidents of running, non-flapping monitors that have reminders on, with what a
 * reminder says about the monitor.
 */
export function openIncidentsWithReminders(db: Kysely<Database>) {
  return db
    .selectFrom('incidents')
    .innerJoin('monitors', 'monitors.id', 'incidents.monitor_id')
    .select([
      'incidents.id',
      'incidents.started_at',
      'incidents.cause',
      'monitors.id as monitor_id',
      'monitors.account_id',
      'monitors.name',
      'monitors.url',
      'monitors.reminder_hours',
    ])
    .where('incidents.resolved_at', 'is', null)
    .where('monitors.reminder_hours', 'is not', null)
    .where('monitors.is_paused', '=', 0)
    .where('monitors.flapping_since', 'is', null)
    .execute();
}
