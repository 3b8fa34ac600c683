import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { MINUTE } from '../../lib/clock.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import type { PlanPolicy } from '../billing/plans.ts';
import { type AlertEvent, type AlertEventName, allowedKinds, findChannelDef } from './alerts.ts';
import * as channels from './channels.repository.ts';
import * as outbox from './outbox.repository.ts';

type DbLike = Kysely<Database>;

export interface AlertContext {
  /** Public base URL for links in alerts. */
  baseUrl: string;
  policy: PlanPolicy;
}

export const FLAP_WINDOW_MS = 30 * MINUTE;
export const FLAP_MAX_CHANGES = 5;

interface MonitorRef {
  id: number;
  accountId: number;
  name: string;
  url: string;
}

interface IncidentRef {
  id: number;
  startedAt: number;
  resolvedAt: number | null;
  cause: string;
}

async function accountOf(db: DbLike, accountId: number) {
  const account = await findAccount(db, accountId);
  if (!account) throw new Error(`account ${accountId} not found`);
  return account;
}

/**
 * Writes one outbox row per enabled channel of the monitor the plan allows. `up` goes only
 * where the matching `down` went, so nobody gets a recovery for an outage they never heard
 * of (a channel added mid-outage, a flapping spell, a maintenance window).
 */
export async function enqueueMonitorEvent(
  db: DbLike,
  ctx: AlertContext,
  v: { monitor: MonitorRef; incident: IncidentRef | null; event: AlertEventName; at: number; keySuffix?: string; cert?: AlertEvent['cert'] },
): Promise<number> {
  const account = await accountOf(db, v.monitor.accountId);
  const kinds = allowedKinds(ctx.policy.selfHosted, account.plan);
  const targets = (await channels.activeForMonitor(db, v.monitor.id)).filter((c) => kinds.includes(c.kind));
  const payload: AlertEvent = {
    event: v.event,
    monitor: { id: v.monitor.id, name: v.monitor.name, url: v.monitor.url },
    incident: v.incident,
    link: `${ctx.baseUrl}/monitors/${v.monitor.id}`,
    account: account.name,
    at: v.at,
    ...(v.cert ? { cert: v.cert } : {}),
  };
  const rows = [];
  for (const ch of targets) {
    // Each channel says which events it takes (PagerDuty and Opsgenie only those they can close).
    if (!findChannelDef(ch.kind)?.accepts(v.event)) continue;
    if (v.event === 'up' && v.incident && !(await outbox.hasEvent(db, v.incident.id, ch.id, 'down'))) continue;
    const scope = v.incident ? `incident-${v.incident.id}` : `monitor-${v.monitor.id}`;
    rows.push({
      account_id: v.monitor.accountId,
      channel_id: ch.id,
      monitor_id: v.monitor.id,
      incident_id: v.incident?.id ?? null,
      event: v.event,
      idempotency_key: `${scope}:channel-${ch.id}:${v.event}${v.keySuffix ? `:${v.keySuffix}` : ''}`,
      payload: JSON.stringify(payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: v.at,
      claimed_until: null,
      last_error: null,
      created_at: v.at,
      sent_at: null,
    });
  }
  return outbox.enqueue(db, rows);
}
