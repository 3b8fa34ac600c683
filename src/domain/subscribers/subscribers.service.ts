import { randomBytes } from 'node:crypto';
import { csvCell } from '../../lib/csv.ts';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { isDbId, randomToken } from '../../lib/ids.ts';
import type { NetGuard } from '../../lib/net-guard.ts';
import { parseInput } from '../../lib/validate.ts';
import type { PlanPolicy } from '../billing/plans.ts';
import { CONFIRM_TTL_MS, confirmSignatureValid, confirmUrl, unsubscribeSignatureValid } from './links.ts';
import type { OutboxPayload } from './notify.ts';
import { type ConfirmResult, type SubscribeInput, subscribeInput, subscriberCap, type UnsubscribeCheck } from './subscribers.ts';
import * as repo from './subscribers.repository.ts';

export interface SubscriberDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  /** The SSRF guard for webhook receivers (inactive on a self-hosted instance). */
  guard: NetGuard;
}

/** What signs and points the confirmation link: the instance's base URL and a purpose secret. */
export interface LinkKeys {
  baseUrl: string;
  confirmSecret: string;
}

export interface PublicPage {
  id: number;
  slug: string;
  title: string;
  accountId: number;
  plan: string;
}

export async function publicPage(db: Db, slug: string): Promise<PublicPage> {
  const p = await repo.pageBySlug(db, slug);
  if (!p) throw new NotFoundError('Status page');
  return { id: p.id, slug: p.slug, title: p.title, accountId: p.account_id, plan: p.plan };
}

/** One of the account's pages; another account's page id is "not found". */
async function findOwnPage(db: Db, accountId: number, pageId: number) {
  const page = isDbId(pageId) ? await repo.ownPage(db, accountId, pageId) : undefined;
  if (!page) throw new NotFoundError('Status page');
  return page;
}

export async function componentChoices(db: Db, pageId: number): Promise<Array<{ id: number; name: string }>> {
  return (await repo.publicComponents(db, pageId)).map((c) => ({ id: c.id, name: c.name ?? c.monitor_name ?? `Component ${c.id}` }));
}

/** Whether the page has room for one more subscriber under its plan. */
export async function isFull(deps: Pick<SubscriberDeps, 'db' | 'policy'>, page: PublicPage): Promise<boolean> {
  const cap = subscriberCap(deps.policy, page.plan);
  return cap !== null && (await repo.countForPage(deps.db, page.id)).total >= cap;
}

/**
 * Starts a subscription (double opt-in):
 * 1. validate the address (and, in SaaS mode, refuse private webhook receivers) and keep
 *    only components the page shows publicly;
 * 2. create the subscriber unconfirmed, or find the existing one;
 * 3. queue the confirmation (email with a signed link, or a signed `subscription.confirm`
 *    POST carrying the link and the signing secret) unless already confirmed.
 * The caller answers the same whatever happened in 2–3, so nobody learns who subscribed.
 */
export async function subscribe(deps: SubscriberDeps, page: PublicPage, raw: SubscribeInput, keys: LinkKeys): Promise<void> {
  const input = parseInput(subscribeInput, raw);
  if (input.kind === 'webhook') {
    const violation = deps.guard.urlRefusal(new URL(input.address));
    if (violation) throw new ValidationError(violation, { address: violation });
  }
  const allowed = new Set((await repo.publicComponents(deps.db, page.id)).map((c) => c.id));
  const chosen = [...new Set(input.componentIds)].filter((id) => allowed.has(id));
  const componentIds = chosen.length === 0 || chosen.length === allowed.size ? null : JSON.stringify(chosen.sort((a, b) => a - b));
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    const existing = await repo.findByAddress(trx, page.id, input.kind, input.address);
    if (existing?.confirmed_at != null) return; // a stranger must not change a confirmed subscription
    if (!existing && (await isFull({ db: trx, policy: deps.policy }, page))) throw new AppError('subscribers_full', 'This status page has reached its subscriber limit; follow it through the feed instead.', 409);
    const { row } = existing
      ? { row: existing }
      : await repo.insertOrGet(trx, {
          page_id: page.id,
          kind: input.kind,
          address: input.address,
          component_ids: componentIds,
          token: randomToken(24),
          secret: input.kind === 'webhook' ? `whsec_${randomBytes(24).toString('base64')}` : null,
          confirmed_at: null,
          created_at: now,
        });
    if (existing) await repo.setComponents(trx, row.id, componentIds);
    const payload: OutboxPayload = { kind: 'confirm', confirmUrl: confirmUrl(keys.baseUrl, keys.confirmSecret, page.slug, row, now + CONFIRM_TTL_MS), at: now };
    await repo.enqueueNotices(trx, [
      {
        page_id: page.id,
        subscriber_id: row.id,
        event: 'subscription.confirm',
        idempotency_key: `confirm:${row.id}:${now}`,
        payload: JSON.stringify(payload),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      },
    ]);
  });
}

type ConfirmQuery = { s?: string; e?: string; sig?: string };

/** What a confirmation link points at: 'valid' when it may confirm now (nothing is changed). */
export async function checkConfirmation(deps: SubscriberDeps, page: PublicPage, q: ConfirmQuery, confirmSecret: string): Promise<Exclude<ConfirmResult, 'confirmed'> | 'valid'> {
  const id = Number(q.s);
  const expires = Number(q.e);
  if (!isDbId(id) || !Number.isSafeInteger(expires) || !q.sig) return 'invalid';
  const sub = await repo.findById(deps.db, id);
  if (!sub || sub.page_id !== page.id || !confirmSignatureValid(confirmSecret, sub.token, expires, q.sig)) return 'invalid';
  if (sub.confirmed_at !== null) return 'already';
  if (expires < deps.clock.now()) return 'expired';
  return 'valid';
}

/** Confirms once, on the person's (or the receiver's) POST: opening the link only asks. */
export async function confirmSubscription(deps: SubscriberDeps, page: PublicPage, q: ConfirmQuery, confirmSecret: string): Promise<ConfirmResult> {
  const state = await checkConfirmation(deps, page, q, confirmSecret);
  if (state !== 'valid') return state;
  return (await repo.confirm(deps.db, Number(q.s), deps.clock.now())) ? 'confirmed' : 'already';
}

async function unsubscribeTarget(deps: SubscriberDeps, page: PublicPage, q: { s?: string; sig?: string }) {
  const id = Number(q.s);
  if (!isDbId(id) || !q.sig) return { state: 'invalid' as const };
  const sub = await repo.findById(deps.db, id);
  // Removed already (the only link to a subscriber is to one that existed).
  if (!sub) return { state: 'gone' as const };
  if (sub.page_id !== page.id || !unsubscribeSignatureValid(sub, q.sig)) return { state: 'invalid' as const };
  return { state: 'valid' as const, sub };
}

/** What an unsubscribe link points at, for the confirmation page. */
export async function checkUnsubscribe(deps: SubscriberDeps, page: PublicPage, q: { s?: string; sig?: string }): Promise<UnsubscribeCheck> {
  const t = await unsubscribeTarget(deps, page, q);
  return t.state === 'valid' ? { state: 'valid', kind: t.sub.kind, address: t.sub.address } : t;
}

/** Removes the subscription the link names; the link's signature is the authorisation. */
export async function unsubscribe(deps: SubscriberDeps, page: PublicPage, q: { s?: string; sig?: string }): Promise<'removed' | 'gone' | 'invalid'> {
  const t = await unsubscribeTarget(deps, page, q);
  if (t.state !== 'valid') return t.state;
  return (await repo.remove(deps.db, t.sub.id)) ? 'removed' : 'gone';
}

// --- Dashboard -------------------------------------------------------------------------

export interface SubscriberView {
  id: number;
  kind: string;
  address: string;
  components: string[] | null;
  confirmed: boolean;
  createdAt: number;
}

/** The account's page with its subscribers (another account's page is "not found"). */
export async function listSubscribers(deps: Pick<SubscriberDeps, 'db'>, accountId: number, pageId: number, limit?: number) {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const names = new Map((await componentChoices(deps.db, page.id)).map((c) => [c.id, c.name]));
  const counts = await repo.countForPage(deps.db, page.id);
  const rows = await repo.listForPage(deps.db, page.id, limit);
  const subscribers: SubscriberView[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    address: r.address,
    components: r.component_ids === null ? null : (JSON.parse(r.component_ids) as number[]).map((id) => names.get(id) ?? `#${id}`),
    confirmed: r.confirmed_at !== null,
    createdAt: r.created_at,
  }));
  return { page, counts, subscribers };
}

/** One subscriber of the account's page (another account's, or another page's, is "not found"). */
export async function getSubscriber(deps: Pick<SubscriberDeps, 'db'>, accountId: number, pageId: number, subscriberId: number): Promise<{ id: number; address: string; pageTitle: string }> {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const sub = isDbId(subscriberId) ? await repo.findById(deps.db, subscriberId) : undefined;
  if (!sub || sub.page_id !== page.id) throw new NotFoundError('Subscriber');
  return { id: sub.id, address: sub.address, pageTitle: page.title };
}

export async function removeSubscriber(deps: Pick<SubscriberDeps, 'db'>, accountId: number, pageId: number, subscriberId: number): Promise<void> {
  const page = await findOwnPage(deps.db, accountId, pageId);
  const sub = isDbId(subscriberId) ? await repo.findById(deps.db, subscriberId) : undefined;
  if (!sub || sub.page_id !== page.id) throw new NotFoundError('Subscriber');
  await repo.remove(deps.db, sub.id);
}

export function subscribersCsv(subs: SubscriberView[]): string {
  const lines = [['kind', 'address', 'components', 'status', 'created_at'].join(',')];
  for (const s of subs) {
    lines.push([s.kind, s.address, s.components === null ? 'all' : s.components.join('; '), s.confirmed ? 'confirmed' : 'pending', new Date(s.createdAt).toISOString()].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
