import type { Db } from '../../db/create-db.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { lookupTxt } from '../../lib/dns-txt.ts';
import { ValidationError } from '../../lib/errors.ts';
import { Semaphore } from '../../lib/semaphore.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { PLAN_FEATURES, type PlanPolicy } from '../billing/plans.ts';
import * as repo from './domains.repository.ts';
import { type Judgement, judgeTxt, LOOKUP_TIMEOUT_MS, RECHECK_WINDOW_MS, txtName } from './domains.ts';
import { findOwnPage } from './pages.repository.ts';

export interface DomainCheckDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  /** Resolver of the TXT lookups (DNS_VERIFY_RESOLVER); unset = the system's resolvers. */
  resolver?: string;
  timeoutMs?: number;
}

export type CheckOutcome = { status: 'verified'; domain: string } | { status: 'pending'; domain: string; message: string };

/** Looks up the TXT record of the page's pending domain now ("Check DNS now"). */
export async function checkPageDomain(deps: DomainCheckDeps, accountId: number, pageId: number, by: AuditBy): Promise<CheckOutcome> {
  const claim = await repo.findClaim(deps.db, accountId, pageId);
  if (!claim) {
    await findOwnPage(deps.db, accountId, pageId); // another account's page: 404
    throw new ValidationError('Set a custom domain first, then check its DNS', { custom_domain: 'Set a custom domain first' });
  }
  if (claim.verifiedAt !== null) return { status: 'verified', domain: claim.domain };
  return checkClaim(deps, claim, by);
}

/**
 * The worker's round: pending claims younger than a week, least recently checked first, a
 * few lookups at a time (each bounded by its timeout).
 */
export async function recheckPendingDomains(deps: DomainCheckDeps, limit = 200): Promise<{ checked: number; verified: number }> {
  const claims = await repo.pendingClaims(deps.db, deps.clock.now() - RECHECK_WINDOW_MS, limit);
  const lanes = new Semaphore(8);
  const outcomes = await Promise.all(claims.map((c) => lanes.run(() => checkClaim(deps, c, { actor: { system: 'DNS check' } }))));
  return { checked: outcomes.length, verified: outcomes.filter((o) => o.status === 'verified').length };
}

async function checkClaim(deps: DomainCheckDeps, claim: repo.Claim, by: AuditBy): Promise<CheckOutcome> {
  const judgement = await judge(deps, claim);
  const now = deps.clock.now();
  const problem = judgement.verified ? await accept(deps.db, claim, by, now) : judgement.message;
  if (problem === null) return { status: 'verified', domain: claim.domain };
  await repo.saveCheck(deps.db, claim, now, problem);
  return { status: 'pending', domain: claim.domain, message: problem };
}

async function judge(deps: DomainCheckDeps, claim: repo.Claim): Promise<Judgement> {
  if (deps.policy.selfHosted) return { verified: true };
  if (!PLAN_FEATURES.customDomain(claim.plan)) return { verified: false, message: 'Custom domains come with the Business plan: upgrade, then check again.' };
  if (!claim.token) return { verified: false, message: 'This claim has no verification token: save the domain again to get one.' };
  const answer = await lookupTxt(txtName(claim.domain), { resolver: deps.resolver, timeoutMs: deps.timeoutMs ?? LOOKUP_TIMEOUT_MS });
  return judgeTxt(answer, claim.domain, claim.token);
}

/**
 * Verifies the claim; returns why not when the claim changed meanwhile. A DNS proof is the
 * latest word on who controls a name: a page that verified it earlier (the name may have
 * changed hands since, or been set before proofs were asked for) is released.
 */
async function accept(db: Db, claim: repo.Claim, by: AuditBy, now: number): Promise<string | null> {
  try {
    return await writeTx(db, async (trx) => {
      if (!(await repo.stillPending(trx, claim))) return 'The domain was changed or released meanwhile; reload the page.';
      const displaced = await repo.releaseClaims(trx, claim.domain, claim.pageId, true);
      if (!(await repo.markVerified(trx, claim, now))) return 'The domain was changed or released meanwhile; reload the page.';
      await settleVerifiedClaim(trx, claim, by, now, 'dns', displaced);
      return null;
    });
  } catch (err) {
    // Two pages proving the same name at once: the unique index lets one win.
    if (isUniqueViolation(err)) return 'Another status page has verified this domain at the same moment; check again.';
    throw err;
  }
}

/**
 * After a page's domain became verified (by DNS, or at once when self-hosted), inside its
 * transaction: 1. other accounts' pending claims of the name are released, each page keeping
 * a notice; 2. the verification is audited for the winner, the release for each loser.
 */
export async function settleVerifiedClaim(
  trx: Db,
  claim: Pick<repo.Claim, 'pageId' | 'accountId' | 'title' | 'domain'>,
  by: AuditBy,
  now: number,
  how: 'dns' | 'self-hosted',
  displaced: Array<{ id: number; account_id: number; title: string }> = [],
): Promise<void> {
  const released = [...displaced, ...(await repo.releaseClaims(trx, claim.domain, claim.pageId))];
  await recordAudit(trx, {
    accountId: claim.accountId,
    ...by,
    action: 'page.domain_verified',
    target: `page ${claim.pageId} (${claim.title})`,
    details: { domain: claim.domain, method: how },
    at: now,
  });
  for (const r of released) {
    await recordAudit(trx, {
      accountId: r.account_id,
      actor: { system: 'domain verification' },
      action: 'page.domain_released',
      target: `page ${r.id} (${r.title})`,
      details: { domain: claim.domain, reason: r.account_id === claim.accountId ? 'another page verified it' : 'another account verified it' },
      at: now,
    });
  }
}
