import { recheckPendingDomains } from '../domain/statuspages/domains.service.ts';
import type { WorkerDeps } from './deps.ts';

/** Looks up the TXT records of pending custom domains, so a user need not press "Check DNS now". */
export async function recheckDomains(deps: Pick<WorkerDeps, 'db' | 'clock' | 'policy' | 'logger' | 'dnsVerifyResolver'>, timeoutMs?: number): Promise<number> {
  const r = await recheckPendingDomains({ db: deps.db, clock: deps.clock, policy: deps.policy, resolver: deps.dnsVerifyResolver, timeoutMs });
  if (r.checked) deps.logger.info(r, 'pending custom domains checked');
  return r.verified;
}
