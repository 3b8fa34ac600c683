import type { Db } from '../../db/create-db.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Mailer } from '../../lib/mail.ts';
import { ownerEmails } from '../accounts/accounts.repository.ts';
import * as repo from './billing.repository.ts';
import { worthTelling, type PlanChange } from './plan-change.ts';
import { isPlanId, PLAN_INFO } from './plans.ts';

export interface PlanMailDeps {
  db: Db;
  mailer: Mailer;
  baseUrl: string;
  logger: Logger;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const planName = (p: string) => (isPlanId(p) ? PLAN_INFO[p].name : p);

const REASONS: Record<PlanChange['reason'], string> = {
  checkout: 'after your payment',
  subscription: 'after a change to your subscription',
  canceled: 'because the subscription ended',
  payment_failed: 'because the payment was not made within the 7-day grace period',
  admin: 'by an administrator',
};

/** The lines of a plan-change notice, shared by the email and the dashboard notice. */
export function describeChange(c: PlanChange): string[] {
  const lines: string[] = [];
  for (const m of c.paused) lines.push(`Paused (over the plan's monitor limit or not included): ${m.name}`);
  for (const m of c.raised) lines.push(`Interval raised from ${m.from} s to ${m.to} s: ${m.name}`);
  for (const m of c.resumed) lines.push(`Resumed: ${m.name}`);
  lines.push(...c.featuresOff);
  return lines;
}

/**
 * Mails the owners what a plan change did. Sent after the change has committed and best
 * effort: the same notice is on the dashboard, so a mail failure is logged, not retried.
 */
export async function mailPlanChange(deps: PlanMailDeps, change: PlanChange): Promise<void> {
  if (!worthTelling(change) && change.resumed.length === 0) return;
  try {
    const to = await ownerEmails(deps.db, change.accountId);
    const account = await repo.findBilling(deps.db, change.accountId);
    if (!to.length || !account) return;
    const title = `Your StatusPing account is now on the ${planName(change.to)} plan`;
    const intro = `${account.name} moved from ${planName(change.from)} to ${planName(change.to)} ${REASONS[change.reason]}. Nothing was deleted.`;
    const lines = describeChange(change);
    const link = `${deps.baseUrl}/settings/billing`;
    const text = [intro, '', ...lines.map((l) => `- ${l}`), '', `Billing: ${link}`].join('\n');
    const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<h2 style="margin:0 0 12px">${esc(title)}</h2><p>${esc(intro)}</p><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<p><a href="${esc(link)}">Open billing</a></p></body></html>`;
    await deps.mailer.send({ to, subject: title, text, html, idempotencyKey: `plan-change-${change.accountId}-${change.at}` });
  } catch (err) {
    deps.logger.warn({ err, accountId: change.accountId }, 'plan change email not sent');
  }
}
