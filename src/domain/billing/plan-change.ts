import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { type AuditActor, recordAudit } from '../audit/audit.repository.ts';
import * as repo from './billing.repository.ts';
import { limitsFor, PLAN_FEATURES, PLAN_INFO, type PlanId, type PlanPolicy, planRank } from './plans.ts';

/** Why the plan changed, as recorded in the audit log and shown in the notice. */
export type PlanChangeReason = 'checkout' | 'subscription' | 'canceled' | 'payment_failed' | 'admin';

/** What a plan change did to the account: shown on the dashboard and mailed to the owner. */
export interface PlanChange {
  accountId: number;
  from: string;
  to: PlanId;
  reason: PlanChangeReason;
  at: number;
  paused: { id: number; name: string }[];
  resumed: { id: number; name: string }[];
  raised: { id: number; name: string; from: number; to: number }[];
  featuresOff: string[];
}

/** A change worth telling the owner about: a downgrade, or something paused, slowed or turned off. */
export function worthTelling(c: PlanChange): boolean {
  return planRank(c.to) < planRank(c.from) || c.paused.length > 0 || c.raised.length > 0 || c.featuresOff.length > 0;
}

/**
 * Moves the account to `plan` inside the caller's transaction; null when it is already on it.
 * Never deletes anything:
 *  1. monitors the new plan cannot run (browser checks below Business) are paused (reason 'plan');
 *  2. of the rest still running, the oldest up to the plan's limit keep running and the newer
 *     ones are paused (reason 'plan'); on an upgrade, monitors the plan had paused resume,
 *     oldest first, up to the new limit;
 *  3. intervals below the new minimum are raised to it;
 *  4. features above the plan are switched off (hide "Powered by") or stop being served
 *     (custom domain, extra alert channels: kept, unused);
 *  5. the plan, the notice and an audit entry are written.
 */
export async function applyPlanIn(
  trx: Trx,
  clock: Clock,
  policy: PlanPolicy,
  accountId: number,
  plan: PlanId,
  reason: PlanChangeReason,
  actor: AuditActor,
): Promise<PlanChange | null> {
  const account = await repo.findBilling(trx, accountId);
  if (!account) throw new NotFoundError('Account');
  if (account.plan === plan) return null;
  const now = clock.now();
  const change: PlanChange = { accountId, from: account.plan, to: plan, reason, at: now, paused: [], resumed: [], raised: [], featuresOff: [] };
  if (!policy.selfHosted) await enforceLimits(trx, policy, change, now);
  await repo.updateBilling(trx, accountId, {
    plan,
    plan_changed_at: now,
    // A plain upgrade leaves the notice alone, so it does not hide what an earlier downgrade did.
    ...(worthTelling(change) ? { plan_notice: JSON.stringify(change) } : {}),
  });
  await recordAudit(trx, {
    accountId,
    actor,
    action: 'billing.plan_changed',
    target: `plan ${change.from} → ${plan}`,
    details: { reason, paused: change.paused.map((m) => m.id), resumed: change.resumed.map((m) => m.id), raised: change.raised.map((m) => m.id), featuresOff: change.featuresOff },
    at: now,
  });
  return change;
}

async function enforceLimits(trx: Trx, policy: PlanPolicy, change: PlanChange, now: number): Promise<void> {
  const { accountId, to } = change;
  const limits = limitsFor(policy, to);
  const monitors = await repo.monitorsOldestFirst(trx, accountId);
  const runnable = (m: repo.PlanMonitor) => m.type !== 'browser' || PLAN_FEATURES.browserChecks(to);
  const max = limits.maxMonitors ?? Number.POSITIVE_INFINITY;

  // Steps 1–2: decide which monitors run under the new plan.
  const running = monitors.filter((m) => m.is_paused === 0);
  const keep = running.filter(runnable).slice(0, max);
  const pause = running.filter((m) => !keep.includes(m));
  const resume =
    planRank(to) > planRank(change.from)
      ? monitors.filter((m) => m.is_paused === 1 && m.paused_reason === 'plan' && runnable(m)).slice(0, Math.max(0, max - keep.length))
      : [];
  await repo.pauseForPlan(trx, accountId, pause.map((m) => m.id), now);
  await repo.resumeFromPlan(trx, accountId, resume.map((m) => m.id), now);
  // Newest first, the order in which they were paused.
  change.paused = pause.map((m) => ({ id: m.id, name: m.name })).reverse();
  change.resumed = resume.map((m) => ({ id: m.id, name: m.name }));

  // Step 3.
  change.raised = monitors
    .filter((m) => m.interval_s < limits.minIntervalSeconds)
    .map((m) => ({ id: m.id, name: m.name, from: m.interval_s, to: limits.minIntervalSeconds }));
  await repo.raiseIntervals(trx, accountId, limits.minIntervalSeconds, now);

  // Step 4.
  if (!PLAN_FEATURES.hidePoweredBy(to) && (await repo.showPoweredBy(trx, accountId)) > 0) {
    change.featuresOff.push('"Powered by StatusPing" is shown again on your status page.');
  }
  if (!PLAN_FEATURES.customDomain(to) && PLAN_FEATURES.customDomain(change.from) && (await repo.customDomainCount(trx, accountId)) > 0) {
    change.featuresOff.push('Your custom domain is kept but no longer served; the page stays at its /s/ address.');
  }
  const unsent = (await repo.channelKinds(trx, accountId)).filter((k) => !PLAN_FEATURES.alertChannel(to, k));
  if (unsent.length) {
    change.featuresOff.push(`${unsent.length} alert channel${unsent.length === 1 ? '' : 's'} (${[...new Set(unsent)].join(', ')}) kept but sending nothing: ${PLAN_INFO[to].name} does not include ${unsent.length === 1 ? 'it' : 'them'}.`);
  }
}

/** applyPlanIn in its own transaction. */
export function applyPlan(
  db: Db,
  clock: Clock,
  policy: PlanPolicy,
  accountId: number,
  plan: PlanId,
  reason: PlanChangeReason,
  actor: AuditActor = { system: 'stripe' },
): Promise<PlanChange | null> {
  return writeTx(db, (trx) => applyPlanIn(trx, clock, policy, accountId, plan, reason, actor));
}

/** The notice of the last change with consequences, if the owner has not dismissed it. */
export function parseNotice(raw: string | null): PlanChange | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as PlanChange;
  } catch {
    return null;
  }
}
