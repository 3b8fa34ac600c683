import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { DAY } from '../../lib/clock.ts';
import type { TxtAnswer } from '../../lib/dns-txt.ts';

// Custom domains: a page claims a host name, proves it with a DNS TXT record, and only then
// answers on it. Pure rules here; the verbs are in domains.service.ts.

export type DomainStatus = 'verified' | 'pending';

/** The worker looks again at pending claims this young (every ten minutes, see src/worker). */
export const RECHECK_WINDOW_MS = 7 * DAY;
/** A lookup gives up after this long (the answer is then "DNS error, try again"). */
export const LOOKUP_TIMEOUT_MS = 4000;

export const txtName = (domain: string) => `_statusping.${domain}`;
export const txtValue = (token: string) => `statusping-verify=${token}`;

interface ClaimRow {
  custom_domain: string | null;
  domain_verified_at: number | null;
}

export function domainStatus(p: ClaimRow): DomainStatus | null {
  if (!p.custom_domain) return null;
  return p.domain_verified_at === null ? 'pending' : 'verified';
}

/** The claim columns of a page whose domain is set, changed or cleared. */
export function claimColumns(domain: string | null, now: number, selfHosted: boolean) {
  return {
    custom_domain: domain,
    // Self-hosted: the operator owns the machine and its names, nothing to prove.
    domain_token: domain && !selfHosted ? randomBytes(16).toString('hex') : null,
    domain_claimed_at: domain ? now : null,
    domain_verified_at: domain && selfHosted ? now : null,
    domain_checked_at: null,
    domain_check_result: null,
    domain_released: null,
  };
}

export type Judgement = { verified: true } | { verified: false; message: string };

const MAX_SHOWN = 5;

/** Whether a TXT answer proves the claim, or what the user should know about it. */
export function judgeTxt(answer: TxtAnswer, domain: string, token: string): Judgement {
  const name = txtName(domain);
  const want = txtValue(token);
  if (answer.kind === 'error') return { verified: false, message: `The DNS lookup of ${name} failed: ${answer.message}. Try again in a few minutes.` };
  if (answer.kind === 'none') {
    return { verified: false, message: `No TXT record found at ${name} yet. New DNS records can take from a few minutes to a few hours to show up.` };
  }
  // Some DNS panels keep quotes typed around the value; they are not part of it.
  if (answer.values.some((v) => v.trim().replace(/^"(.*)"$/, '$1') === want)) return { verified: true };
  const shown = answer.values.slice(0, MAX_SHOWN).map((v) => `"${v.length > 80 ? `${v.slice(0, 77)}…` : v}"`);
  const more = answer.values.length > MAX_SHOWN ? ` and ${answer.values.length - MAX_SHOWN} more` : '';
  return { verified: false, message: `The TXT record at ${name} has a different value: ${shown.join(', ')}${more}. It should be "${want}".` };
}

export interface DomainView {
  name: string;
  status: DomainStatus;
  txtName: string;
  /** The TXT value to publish while pending. */
  txtValue: string | null;
  /** The record pointing the name at this instance: a CNAME to its host, or an A/AAAA record to its address. */
  pointer: { type: 'CNAME' | 'A' | 'AAAA'; value: string };
  checkedAt: number | null;
  checkResult: string | null;
  selfHosted: boolean;
}

interface ViewRow extends ClaimRow {
  domain_token: string | null;
  domain_checked_at: number | null;
  domain_check_result: string | null;
}

/** What the settings page says about the page's domain (null without one). */
export function domainView(p: ViewRow, baseUrl: string, selfHosted: boolean): DomainView | null {
  const status = domainStatus(p);
  if (!status || !p.custom_domain) return null;
  const host = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  const ipKind = isIP(host);
  return {
    name: p.custom_domain,
    status,
    txtName: txtName(p.custom_domain),
    txtValue: status === 'pending' && p.domain_token ? txtValue(p.domain_token) : null,
    pointer: ipKind === 0 ? { type: 'CNAME', value: host } : { type: ipKind === 4 ? 'A' : 'AAAA', value: host },
    checkedAt: p.domain_checked_at,
    checkResult: status === 'pending' ? p.domain_check_result : null,
    selfHosted,
  };
}
