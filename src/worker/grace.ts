import { expireGracePeriods } from '../domain/billing/grace.ts';
import { mailPlanChange } from '../domain/billing/notify.ts';
import type { WorkerDeps } from './deps.ts';

/** Moves accounts past their payment grace period to Free and mails each owner what changed. */
export async function endGracePeriods(deps: Pick<WorkerDeps, 'db' | 'clock' | 'policy' | 'logger' | 'delivery' | 'alerts'>): Promise<number> {
  const changes = await expireGracePeriods(deps);
  for (const change of changes) {
    deps.logger.info({ accountId: change.accountId, from: change.from }, 'grace period over: account moved to Free');
    await mailPlanChange({ db: deps.db, mailer: deps.delivery.mailer, baseUrl: deps.alerts.baseUrl, logger: deps.logger }, change);
  }
  return changes.length;
}
