import { describe, expect, it } from 'vitest';
import { intervalViolation, limitsFor, monitorCountViolation } from '../../src/domain/billing/plans.ts';

const saas = { selfHosted: false, minIntervalSeconds: 10, retentionDays: 90 };
const selfHosted = { selfHosted: true, minIntervalSeconds: 10, retentionDays: 30 };

describe('plan limits', () => {
  it('free allows 5 monitors at 300 s or slower', () => {
    const l = limitsFor(saas, 'free');
    expect(intervalViolation(l, 300)).toBeNull();
    expect(intervalViolation(l, 299)).toMatch(/Free plan allows intervals of 300 seconds or more/);
    expect(monitorCountViolation(l, 4)).toBeNull();
    expect(monitorCountViolation(l, 5)).toMatch(/Free plan allows at most 5 monitors/);
  });

  it('pro allows 50 monitors at 60 s; business unlimited at 30 s', () => {
    const pro = limitsFor(saas, 'pro');
    expect(intervalViolation(pro, 59)).toMatch(/Pro plan/);
    expect(monitorCountViolation(pro, 49)).toBeNull();
    expect(monitorCountViolation(pro, 50)).toMatch(/at most 50/);
    const biz = limitsFor(saas, 'business');
    expect(intervalViolation(biz, 30)).toBeNull();
    expect(intervalViolation(biz, 29)).toMatch(/Business plan allows intervals of 30 seconds/);
    expect(monitorCountViolation(biz, 1_000_000)).toBeNull();
  });

  it('retention follows the plan', () => {
    expect(limitsFor(saas, 'free').retentionMs).toBe(24 * 3600 * 1000);
    expect(limitsFor(saas, 'pro').retentionMs).toBe(90 * 24 * 3600 * 1000);
    expect(limitsFor(saas, 'business').retentionMs).toBe(365 * 24 * 3600 * 1000);
  });

  it('self-hosted has no monitor limit and uses MIN_INTERVAL_SECONDS and RETENTION_DAYS', () => {
    const l = limitsFor(selfHosted, 'free');
    expect(monitorCountViolation(l, 100_000)).toBeNull();
    expect(intervalViolation(l, 10)).toBeNull();
    expect(intervalViolation(l, 9)).toMatch(/self-hosted instance allows intervals of 10 seconds/);
    expect(l.retentionMs).toBe(30 * 24 * 3600 * 1000);
  });

  it('an unknown plan name is treated as free', () => {
    expect(limitsFor(saas, 'platinum').maxMonitors).toBe(5);
  });
});
