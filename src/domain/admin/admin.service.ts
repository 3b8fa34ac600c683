import { applyPlanIn } from '../billing/plan-change.ts';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import * as accounts from '../accounts/accounts.repository.ts';
import { createUserByAdmin, signupsOpenNow } from '../accounts/accounts.service.ts';
import type { LifecycleDeps } from '../accounts/email-verification.service.ts';
import { deleteSetting, getSetting, putSetting, SIGNUP_SETTING } from '../accounts/instance-settings.repository.ts';
import { sendSetPasswordEmail } from '../accounts/password-reset.service.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { isPlanId, type PlanPolicy } from '../billing/plans.ts';
import * as repo from './admin.repository.ts';

export interface AdminDeps extends LifecycleDeps {
  db: Db;
  clock: Clock;
  /** ALLOW_SIGNUP (or its mode default): what sign-up is when the admin has not chosen. */
  signupsOpen: boolean;
  policy: PlanPolicy;
}

export interface AdminActor {
  userId: number;
  email: string;
  ip: string | null;
}

export type SignupChoice = 'open' | 'closed' | 'default';

export async function adminOverview(deps: Pick<AdminDeps, 'db' | 'signupsOpen'>) {
  const stored = await getSetting(deps.db, SIGNUP_SETTING);
  return {
    users: await repo.listUsers(deps.db),
    accounts: await repo.listAccounts(deps.db),
    signup: {
      open: await signupsOpenNow(deps),
      choice: (stored === '1' ? 'open' : stored === '0' ? 'closed' : 'default') as SignupChoice,
      envDefault: deps.signupsOpen,
    },
  };
}

/** Opens or closes public sign-up, or returns the decision to ALLOW_SIGNUP. */
export async function setSignup(deps: Pick<AdminDeps, 'db'>, choice: string): Promise<void> {
  if (choice === 'open' || choice === 'closed') await putSetting(deps.db, SIGNUP_SETTING, choice === 'open' ? '1' : '0');
  else if (choice === 'default') await deleteSetting(deps.db, SIGNUP_SETTING);
  else throw new ValidationError('Choose open, closed or default.');
}

/** Creates a login with its own account and emails a link to choose the password. */
export async function addUser(deps: AdminDeps, admin: AdminActor, raw: unknown): Promise<{ email: string; mailed: boolean }> {
  const created = await createUserByAdmin(deps, raw);
  await recordAudit(deps.db, {
    accountId: created.accountId,
    actor: { userId: admin.userId, email: admin.email },
    action: 'admin.user_created',
    target: `user ${created.userId} (${created.email})`,
    ip: admin.ip,
    at: deps.clock.now(),
  });
  const mailed = await sendSetPasswordEmail(deps, { id: created.userId, email: created.email }, created.organization);
  return { email: created.email, mailed };
}

/**
 * Sets an account's plan by hand. Only on self-hosted instances: with Stripe configured the
 * plan follows the subscription, and a hand-set plan would be overwritten by the next
 * webhook.
 */
export async function changePlan(deps: Pick<AdminDeps, 'db' | 'clock' | 'policy'>, admin: AdminActor, accountId: number, plan: string): Promise<void> {
  if (!deps.policy.selfHosted) throw new ConflictError('Plans come from Stripe subscriptions on this instance; change them in billing.', 'plan_from_stripe');
  if (!isPlanId(plan)) throw new ValidationError('Choose free, pro or business.', { plan: 'Choose free, pro or business.' });
  const account = await accounts.findAccount(deps.db, accountId);
  if (!account) throw new NotFoundError('Account');
  if (account.plan === plan) return;
  // The same plan change as a Stripe event makes (a self-hosted instance has no limits to enforce).
  await writeTx(deps.db, (trx) => applyPlanIn(trx, deps.clock, deps.policy, accountId, plan, 'admin', { userId: admin.userId, email: admin.email }));
}
