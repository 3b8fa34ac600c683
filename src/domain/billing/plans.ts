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
  /** Status pages per account; null = unlimited. */
  maxPages: number | null;
  minIntervalSeconds: number;
  retentionMs: number;
}

const PLANS: Record<PlanId, Omit<PlanLimits, 'retentionMs'> & { retentionDays: number }> = {
  free: { label: 'The Free plan', maxMonitors: 5, maxPages: 1, minIntervalSeconds: 300, retentionDays: 1 },
  pro: { label: 'The Pro plan', maxMonitors: 50, maxPages: 3, minIntervalSeconds: 60, retentionDays: 90 },
  business: { label: 'The Business plan', maxMonitors: null, maxPages: null, minIntervalSeconds: 30, retentionDays: 365 },
};

export function isPlanId(v: string): v is PlanId {
  return (PLAN_IDS as readonly string[]).includes(v);
}

export function limitsFor(policy: PlanPolicy, plan: string): PlanLimits {
  if (policy.selfHosted) {
    return {
      label: 'This self-hosted instance',
      maxMonitors: null,
      maxPages: null,
      minIntervalSeconds: policy.minIntervalSeconds,
      retentionMs: policy.retentionDays * DAY,
    };
  }
  const p = PLANS[isPlanId(plan) ? plan : 'free'];
  return { label: p.label, maxMonitors: p.maxMonitors, maxPages: p.maxPages, minIntervalSeconds: p.minIntervalSeconds, retentionMs: p.retentionDays * DAY };
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

export function pageCountViolation(limits: PlanLimits, currentCount: number): string | null {
  if (limits.maxPages === null || currentCount < limits.maxPages) return null;
  const n = limits.maxPages === 1 ? 'one status page' : `${limits.maxPages} status pages`;
  return `${limits.label} allows ${n}. Delete a page or upgrade to add more.`;
}

/** What the billing page shows for each plan; Stripe holds the prices actually charged. */
export const PLAN_INFO: Record<PlanId, { name: string; priceUsd: number; features: readonly string[] }> = {
  free: { name: 'Free', priceUsd: 0, features: ['Email alerts'] },
  pro: { name: 'Pro', priceUsd: 14, features: ['Email, webhook and custom webhook alerts', 'Hide "Powered by StatusPing"'] },
  business: {
    name: 'Business',
    priceUsd: 39,
    features: ['Every alert channel: chat, push, SMS and on-call (PagerDuty, Opsgenie)', 'Maintenance windows', 'Browser checks', 'Custom domain', 'Hide "Powered by StatusPing"'],
  },
};

/** Ordering of plans, so a change can be told apart as an upgrade or a downgrade. */
export function planRank(plan: string): number {
  return isPlanId(plan) ? PLAN_IDS.indexOf(plan) : 0;
}

/** The cheapest plan of each alert channel kind that is not Business-only. */
const ALERT_CHANNEL_PLANS: Partial<Record<string, PlanId>> = { email: 'free', webhook: 'pro', custom_webhook: 'pro' };

/** Paid features by plan (SaaS mode; a self-hosted instance has them all). */
export const PLAN_FEATURES = {
  hidePoweredBy: (plan: string) => plan === 'pro' || plan === 'business',
  customDomain: (plan: string) => plan === 'business',
  browserChecks: (plan: string) => plan === 'business',
  /**
   * Alert channel kinds: email on every plan, the webhooks from Pro, every kind on Business.
   * Billing cannot import the alerts context (it builds on billing), so the kinds below
   * Business are named here; each channel definition's `plan` must agree (a unit test checks).
   */
  alertChannel: (plan: string, kind: string) => planRank(plan) >= planRank(ALERT_CHANNEL_PLANS[kind] ?? 'business'),
} as const;
