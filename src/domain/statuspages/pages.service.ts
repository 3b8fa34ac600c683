import { z } from 'zod';
import type { Db } from '../../db/create-db.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { ConflictError, NotFoundError, PlanLimitError, ValidationError } from '../../lib/errors.ts';
import { hashPassword } from '../../lib/password.ts';
import { RESERVED_SLUGS } from '../../lib/slug.ts';
import { hasUnsafeNameCharacters, NAME_CHARACTERS_MESSAGE, nameText, parseInput } from '../../lib/validate.ts';
import { findAccount, lockAccount, slugTaken } from '../accounts/accounts.repository.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { limitsFor, pageCountViolation, type PlanPolicy } from '../billing/plans.ts';
import { countComponentsByPage } from './components.repository.ts';
import { claimedInAccount, verifiedElsewhere } from './domains.repository.ts';
import { claimColumns } from './domains.ts';
import { settleVerifiedClaim } from './domains.service.ts';
import { deleteOwnPage, findOwnPage, firstOwnPage, insertPage, listOwnPages, updateOwnPage } from './pages.repository.ts';

export interface FooterLink {
  label: string;
  url: string;
}
export const MAX_FOOTER_LINKS = 5;

/** The account's pages with their component counts, oldest (the default one) first. */
export async function listPages(db: Db, accountId: number) {
  const pages = await listOwnPages(db, accountId);
  const counts = await countComponentsByPage(db, pages.map((p) => p.id));
  return pages.map((p) => ({ id: p.id, title: p.title, slug: p.slug, access: p.access, components: counts.get(p.id) ?? 0 }));
}

/** One of the account's pages with its settings; another account's page is "not found". */
export function getPage(db: Db, accountId: number, pageId: number) {
  return findOwnPage(db, accountId, pageId);
}

/** The account's first (default) page, if any. */
export function firstPage(db: Db, accountId: number) {
  return firstOwnPage(db, accountId);
}

const newPageSchema = z.object({
  title: nameText().min(1, 'Give the page a title').max(80, 'Keep the title under 80 characters'),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .min(2, 'Use at least 2 characters')
    .max(40, 'Keep the address under 40 characters')
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Lowercase letters, digits and single dashes, e.g. acme-api')
    .refine((v) => !RESERVED_SLUGS.has(v), 'That address is reserved'),
});

/** A new page; the plan's page limit is checked under a lock so two requests cannot overshoot it. */
export async function createPage(deps: { db: Db; clock: Clock; policy: PlanPolicy }, accountId: number, raw: unknown): Promise<number> {
  const input = parseInput(newPageSchema, raw);
  return writeTx(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const account = await findAccount(trx, accountId);
    if (!account) throw new NotFoundError('Account');
    const msg = pageCountViolation(limitsFor(deps.policy, account.plan), (await listOwnPages(trx, accountId)).length);
    if (msg) throw new PlanLimitError(msg);
    // Page and account slugs share one namespace: both are /s/<slug> addresses.
    if (await slugTaken(trx, input.slug)) throw new ValidationError('That address is already taken', { slug: 'Already taken, choose another' });
    return insertPage(trx, { accountId, slug: input.slug, title: input.title, now: deps.clock.now() });
  });
}

/** Deletes a page with its components, groups and assets; an account keeps at least one page. */
export async function deletePage(db: Db, accountId: number, pageId: number): Promise<void> {
  const page = await findOwnPage(db, accountId, pageId);
  await writeTx(db, async (trx) => {
    if ((await listOwnPages(trx, accountId)).length <= 1) throw new ConflictError('An account keeps at least one status page', 'last_page');
    await deleteOwnPage(trx, accountId, page.id);
  });
}

const checkbox = z.union([z.boolean(), z.string()]).optional().transform((v) => v === true || v === 'on' || v === 'true');

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    return false;
  }
}

export const pageSettingsSchema = z.object({
  title: nameText().min(1, 'Give the page a title').max(80, 'Keep the title under 80 characters'),
  description: z.string().trim().max(500, 'Keep the description under 500 characters').optional().transform((v) => v ?? ''),
  footer_text: z.string().trim().max(300, 'Keep the footer under 300 characters').optional().transform((v) => v ?? ''),
  bar_days: z.coerce.number().refine((n) => n === 30 || n === 60 || n === 90, 'Choose 30, 60 or 90 days'),
  accent: z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, 'A colour like #4f46e5'),
  theme: z.enum(['auto', 'light', 'dark'], { message: 'Choose auto, light or dark' }),
  hide_powered_by: checkbox,
  access: z.enum(['public', 'password', 'members'], { message: 'Choose who can see the page' }).optional().transform((v) => v ?? 'public'),
  page_password: z.string().max(200, 'Keep the password under 200 characters').optional().transform((v) => v ?? ''),
  custom_domain: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => v || '')
    .refine((v) => v === '' || /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(v), 'A host name like status.example.com'),
  auto_publish: checkbox,
  sla_target: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? 99.9 : Number(v)))
    .refine((n) => Number.isFinite(n) && n >= 0 && n <= 100, 'A percentage between 0 and 100, e.g. 99.9'),
});

/**
 * Footer links from form fields link_label_1/link_url_1 … _5: blank pairs are skipped, a
 * half-filled one or a URL that is not http(s) (javascript:, data:…) is a field error.
 */
export function parseFooterLinks(form: Record<string, string>): FooterLink[] {
  const links: FooterLink[] = [];
  const fields: Record<string, string> = {};
  for (let i = 1; i <= MAX_FOOTER_LINKS; i++) {
    const label = (form[`link_label_${i}`] ?? '').trim();
    const url = (form[`link_url_${i}`] ?? '').trim();
    if (!label && !url) continue;
    if (!label) fields[`link_label_${i}`] = 'Give the link a label';
    else if (label.length > 60) fields[`link_label_${i}`] = 'Keep the label under 60 characters';
    else if (hasUnsafeNameCharacters(label)) fields[`link_label_${i}`] = NAME_CHARACTERS_MESSAGE;
    if (!url) fields[`link_url_${i}`] = 'Enter the link address';
    else if (url.length > 2048 || !isHttpUrl(url)) fields[`link_url_${i}`] = 'Enter a full http:// or https:// URL';
    if (label && url) links.push({ label, url });
  }
  const first = Object.values(fields)[0];
  if (first) throw new ValidationError(Object.keys(fields).length > 1 ? 'Please fix the highlighted fields' : first, fields);
  return links;
}

/** Stored footer links, defensively re-checked so only http(s) links ever reach a page. */
export function footerLinksOf(json: string): FooterLink[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .filter((l): l is FooterLink => !!l && typeof l.label === 'string' && typeof l.url === 'string' && isHttpUrl(l.url))
      .slice(0, MAX_FOOTER_LINKS);
  } catch {
    return [];
  }
}

/** Same registrable domain (approximated by the last two labels) as the instance's host. */
function sameSite(domain: string, ownHost: string): boolean {
  const base = (h: string) => h.toLowerCase().split('.').slice(-2).join('.');
  const own = ownHost.toLowerCase();
  return domain === own || domain.endsWith(`.${own}`) || base(domain) === base(own);
}

/**
 * Saves one page's settings; hiding "Powered by" needs a paid plan, custom domains Business
 * (or self-hosting). A new custom domain is a pending claim until its TXT record is checked
 * (domains.service.ts); self-hosted, it is verified at once.
 */
export async function updatePage(
  deps: { db: Db; clock: Clock; policy: PlanPolicy; ownHost?: string },
  accountId: number,
  pageId: number,
  raw: Record<string, string>,
  by: AuditBy,
) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  let links: FooterLink[] = [];
  let linkFields: Record<string, string> = {};
  try {
    links = parseFooterLinks(raw);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    linkFields = err.fields;
  }
  let input: z.output<typeof pageSettingsSchema>;
  try {
    input = parseInput(pageSettingsSchema, raw);
  } catch (err) {
    // Show the link problems together with the other fields'.
    if (err instanceof ValidationError && Object.keys(linkFields).length) throw new ValidationError('Please fix the highlighted fields', { ...err.fields, ...linkFields });
    throw err;
  }
  if (Object.keys(linkFields).length) throw new ValidationError(Object.values(linkFields).length > 1 ? 'Please fix the highlighted fields' : Object.values(linkFields)[0]!, linkFields);
  const account = await findAccount(deps.db, accountId);
  if (!account) throw new NotFoundError('Account');
  if (input.hide_powered_by && !deps.policy.selfHosted && account.plan === 'free') {
    throw new PlanLimitError('Hiding "Powered by StatusPing" needs the Pro or Business plan.', { hide_powered_by: 'Pro or Business plan only' });
  }
  if (input.custom_domain && !deps.policy.selfHosted && account.plan !== 'business') {
    throw new PlanLimitError('Custom domains come with the Business plan.', { custom_domain: 'Business plan only' });
  }
  if (input.custom_domain && deps.ownHost && sameSite(input.custom_domain, deps.ownHost)) {
    throw new ValidationError('That name belongs to this StatusPing instance', { custom_domain: 'That name belongs to this StatusPing instance' });
  }
  if (input.custom_domain && input.access === 'members') {
    // Session cookies belong to the instance's own host and are never sent to a custom domain.
    throw new ValidationError('A members-only page cannot use a custom domain', { custom_domain: 'Not with a members-only page' });
  }
  if (input.access === 'password' && !input.page_password && !page.password_hash) {
    throw new ValidationError('Set a password for the page', { page_password: 'Set a password for the page' });
  }
  if (input.page_password && input.page_password.length < 8) throw new ValidationError('Use at least 8 characters', { page_password: 'Use at least 8 characters' });
  const domain = input.custom_domain || null;
  const domainChanged = domain !== page.custom_domain;
  // Other accounts' claims do not block a name on a SaaS instance: whoever proves it by DNS
  // gets it, even from a page that verified it earlier. Self-hosted, the first claim keeps it.
  const blocked = deps.policy.selfHosted && (await verifiedElsewhere(deps.db, domain ?? '', page.id));
  if (domain && domainChanged && (blocked || (await claimedInAccount(deps.db, accountId, domain, page.id)))) {
    throw new ValidationError('That domain is already used by another status page', { custom_domain: 'Already used by another status page' });
  }
  const { page_password, custom_domain, hide_powered_by, auto_publish, ...look } = input;
  const passwordHash = page_password ? await hashPassword(page_password) : undefined;
  const now = deps.clock.now();
  try {
    await writeTx(deps.db, async (trx) => {
      await updateOwnPage(trx, accountId, page.id, {
        ...look,
        hide_powered_by: hide_powered_by ? 1 : 0,
        auto_publish: auto_publish ? 1 : 0,
        footer_links: JSON.stringify(links),
        // A new name gets a fresh claim; saving shows the notice of a released claim for the last time.
        ...(domainChanged ? claimColumns(domain, now, deps.policy.selfHosted) : { domain_released: null }),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
      });
      if (!domainChanged) return;
      const target = `page ${page.id} (${input.title})`;
      if (page.custom_domain) await recordAudit(trx, { accountId, ...by, action: 'page.domain_removed', target, details: { domain: page.custom_domain }, at: now });
      if (!domain) return;
      await recordAudit(trx, { accountId, ...by, action: 'page.domain_claimed', target, details: { domain }, at: now });
      if (deps.policy.selfHosted) await settleVerifiedClaim(trx, { pageId: page.id, accountId, title: input.title, domain }, by, now, 'self-hosted');
    });
  } catch (err) {
    // Two pages taking the same name at once (self-hosted, where a claim is verified at once).
    if (isUniqueViolation(err)) throw new ValidationError('That domain is already used by another status page', { custom_domain: 'Already used by another status page' });
    throw err;
  }
  return findOwnPage(deps.db, accountId, page.id);
}
