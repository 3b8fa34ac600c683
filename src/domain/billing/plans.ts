import { DAY } from '../../lib/clock.ts';

export type PlanId = 'free' | 'pro' | 'business';
export const PLAN_IDS: readonly PlanId[] = ['free', 'pro', 'business'];

/** What the instance allows beyond plans: self-hosted instances have no plan limits. */
export interface PlanPolicy {
  selfHosted: boolean;
  /** Self-hosted minimum interval (MIN_INTERVAL_SECONDS). */
  minIntervalSeconds: number;
  /** Self-hosted raw-result retention (RETENTION_DAYS). */
  retentionDays: number;
}

export interface PlanLimits {
  /** Subject of limit messages, e.g. "The Free plan" or "This self-hosted instance". */
  label: string;
  maxMonitors: number | null;
  minIntervalSeconds: number;
  retentionMs: number;
}

const PLANS: Record<PlanId, Omit<PlanLimits, 'retentionMs'> & { retentionDays: number }> = {
  free: { label: 'The Free plan', maxMonitors: 5, minIntervalSeconds: 300, retentionDays: 1 },
  pro: { label: 'The Pro plan', maxMonitors: 50, minIntervalSeconds: 60, retentionDays: 90 },
  business: { label: 'The Business plan', maxMonitors: null, minIntervalSeconds: 30, retentionDays: 365 },
};

export function isPlanId(v: string): v is PlanId {
  return (PLAN_IDS as readonly string[]).includes(v);
}

export function limitsFor(policy: PlanPolicy, plan: string): PlanLimits {
  if (policy.selfHosted) {
    return {
      label: 'This self-hosted instance',
      maxMonitors: null,
      minIntervalSeconds: policy.minIntervalSeconds,
      retentionMs: policy.retentionDays * DAY,
    };
  }
  const p = PLANS[isPlanId(plan) ? plan : 'free'];
  return { label: p.label, maxMonitors: p.maxMonitors, minIntervalSeconds: p.minIntervalSeconds, retentionMs: p.retentionDays * DAY };
}

/** Null when allowed, otherwise the message shown to the user. */
export function intervalViolation(limits: PlanLimits, intervalSeconds: number): string | null {
  if (intervalSeconds >= limits.minIntervalSeconds) return null;
  return `${limits.label} allows intervals of ${limits.minIntervalSeconds} seconds or more.`;
}

export function monitorCountViolation(limits: PlanLimits, currentCount: number): string | null {
  if (limits.maxMonitors === null || currentCount < limits.maxMonitors) return null;
  return `${limits.label} allows at most ${limits.maxMonitors} monitors. Delete one or upgrade to add more.`;
}
