import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { HOUR } from '../../lib/clock.ts';
import { type AlertContext, enqueueMonitorEvent } from './enqueue.ts';
import { maintenanceFor } from './maintenance.ts';
import { openIncidentsWithReminders } from './reminders.repository.ts';

/**
 * "Still down" reminders: for each open incident of a monitor with reminders on, the n-th
 * reminder is due n × reminder_hours after the start. Its key carries n, so running this
 * often (or from two workers) never sends one twice. Flapping monitors get none.
 */
export async function enqueueReminders(db: Kysely<Database>, ctx: AlertContext, now: number): Promise<number> {
  const open = await openIncidentsWithReminders(db);
  let n = 0;
  for (const i of open) {
    const every = i.reminder_hours! * HOUR;
    const count = Math.floor((now - i.started_at) / every);
    if (count < 1) continue;
    // Maintenance sends nothing, reminders included; the count catches up afterwards.
    if (await maintenanceFor(db, i.monitor_id, now)) continue;
    n += await enqueueMonitorEvent(db, ctx, {
      monitor: { id: i.monitor_id, accountId: i.account_id, name: i.name, url: i.url },
      incident: { id: i.id, startedAt: i.started_at, resolvedAt: null, cause: i.cause },
      event: 'reminder',
      at: now,
      keySuffix: String(count),
    });
  }
  return n;
}
