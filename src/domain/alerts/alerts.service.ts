import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, PlanLimitError, RateLimitError, ValidationError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import { findAccount } from '../accounts/accounts.repository.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import { limitsFor, type PlanPolicy } from '../billing/plans.ts';
import { type AlertEvent, allowedKinds, type Channel, type ChannelKind, channelBaseSchema, channelDef, channelUpdateSchema, kindLabel } from './alerts.ts';
import * as repo from './channels.repository.ts';
import type { DeliveryDeps, DeliveryOutcome } from './deliver.ts';
import { attempt } from './dispatch.ts';
import * as outbox from './outbox.repository.ts';

export interface AlertDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  delivery: DeliveryDeps;
  baseUrl: string;
}

export async function kindsFor(deps: AlertDeps, accountId: number): Promise<readonly ChannelKind[]> {
  const account = await findAccount(deps.db, accountId);
  if (!account) throw new NotFoundError('Account');
  return allowedKinds(deps.policy.selfHosted, account.plan);
}

export function listChannels(deps: AlertDeps, accountId: number): Promise<Channel[]> {
  return repo.listByAccount(deps.db, accountId);
}

export async function getChannel(deps: AlertDeps, accountId: number, id: number): Promise<Channel> {
  const ch = Number.isSafeInteger(id) ? await repo.findInAccount(deps.db, accountId, id) : undefined;
  if (!ch) throw new NotFoundError('Channel');
  return ch;
}

/** The plan must include the kind, on create and on every edit (a downgraded account keeps its channels but cannot change them). */
async function assertKindAllowed(deps: AlertDeps, accountId: number, kind: ChannelKind): Promise<void> {
  const kinds = await kindsFor(deps, accountId);
  if (kinds.includes(kind)) return;
  const account = await findAccount(deps.db, accountId);
  const label = limitsFor(deps.policy, account?.plan ?? 'free').label;
  const msg = `${label} includes ${listed(kinds.map(kindLabel))} alerts only. Upgrade to use ${kindLabel(kind)}.`;
  throw new PlanLimitError(msg, { kind: msg });
}

/** "A", "A and B", "A, B and C". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Every URL the user typed (a webhook, a homeserver, an icon) passes the SSRF guard when saved; deliveries are checked again. */
function assertTargetAllowed(deps: AlertDeps, kind: ChannelKind, config: Record<string, string>): void {
  const fields: Record<string, string> = {};
  for (const f of channelDef(kind).urlFields) {
    const violation = config[f] ? deps.delivery.guard.urlRefusal(new URL(config[f])) : null;
    if (violation) fields[f] = violation;
  }
  const first = Object.values(fields)[0];
  if (first) throw new ValidationError(first, fields);
}

/** The parsed settings of a kind as stored: its fields only, empty optional ones left out. */
function storedConfig(kind: ChannelKind, parsed: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of channelDef(kind).fields) {
    const v = parsed[f.name];
    if (typeof v === 'string' && v !== '') out[f.name] = v;
  }
  return out;
}

/**
 * Creates a channel after checking the plan allows its kind and its URLs are acceptable.
 * A signed kind (the webhook) gets a Standard Webhooks secret (`whsec_…`), returned once, here only.
 */
export async function createChannel(deps: AlertDeps, accountId: number, raw: Record<string, unknown>, by?: AuditBy): Promise<{ channel: Channel; secret: string | null }> {
  const base = parseInput(channelBaseSchema, raw);
  await assertKindAllowed(deps, accountId, base.kind);
  const def = channelDef(base.kind);
  const config = storedConfig(base.kind, parseInput(def.config, raw));
  assertTargetAllowed(deps, base.kind, config);
  let secret: string | null = null;
  if (def.signed) {
    secret = `whsec_${randomBytes(24).toString('base64')}`;
    config.secret = secret;
  }
  const now = deps.clock.now();
  const id = await writeTx(deps.db, async (trx) => {
    const id = await repo.insert(trx, { accountId, kind: base.kind, name: base.name, config, isDefault: base.is_default, now });
    if (by) await recordAudit(trx, { accountId, actor: by.actor, ip: by.ip ?? null, action: 'alert_channel.created', target: `channel ${id} (${base.name})`, details: { kind: base.kind }, at: now });
    return id;
  });
  return { channel: await getChannel(deps, accountId, id), secret };
}

/** What a kind with a body template would send for a sample alert, from unsaved input; nothing is sent. */
export function previewChannel(kind: ChannelKind, raw: Record<string, unknown>): { contentType: string; body: string } {
  const def = channelDef(kind);
  if (!def.preview) throw new ValidationError(`${def.label} channels have no preview; use Send test once saved.`);
  return def.preview(raw);
}

export const KIND_CANNOT_CHANGE = 'The type of a channel cannot change. Create a new channel for another type.';

/**
 * Changes a channel's name, default flag and settings; its id, kind, monitors and delivery
 * log stay, and so does a webhook's signing secret.
 * 1. the channel must be the account's, the kind unchanged and still on the plan (as on create);
 * 2. a blank or missing credential field keeps the stored value, then everything passes the
 *    create schema and URL check;
 * 3. one write stores it (clearing a disabled state when `enabled` is set) with an audit entry
 *    naming the changed fields, never their values.
 */
export async function updateChannel(deps: AlertDeps, accountId: number, id: number, raw: Record<string, unknown>, by?: AuditBy): Promise<Channel> {
  const current = await getChannel(deps, accountId, id);
  if (raw.kind !== undefined && raw.kind !== current.kind) throw new ValidationError(KIND_CANNOT_CHANGE, { kind: KIND_CANNOT_CHANGE });
  await assertKindAllowed(deps, accountId, current.kind);
  const def = channelDef(current.kind);
  const input: Record<string, unknown> = { ...raw };
  for (const f of def.secrets) {
    if (typeof input[f] !== 'string' || input[f].trim() === '') input[f] = current.config[f];
  }
  // One schema for both parts, so the form shows every error at once.
  const parsed = parseInput(channelUpdateSchema.and(def.config), input);
  const config = storedConfig(current.kind, parsed);
  assertTargetAllowed(deps, current.kind, config);
  if (current.config.secret) config.secret = current.config.secret;

  const changed = [
    ...(parsed.name !== current.name ? ['name'] : []),
    ...(parsed.is_default !== current.isDefault ? ['is_default'] : []),
    ...def.fields.map((f) => f.name).filter((f) => config[f] !== current.config[f]),
  ];
  const enable = parsed.enabled && current.disabledAt !== null;
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    if (!(await repo.updateInAccount(trx, accountId, id, { name: parsed.name, config, isDefault: parsed.is_default, enable, now }))) throw new NotFoundError('Channel');
    if (by) {
      await recordAudit(trx, {
        accountId, actor: by.actor, ip: by.ip ?? null, action: 'alert_channel.updated', target: `channel ${id} (${parsed.name})`,
        details: { kind: current.kind, changed, ...(enable ? { enabled: true } : {}) }, at: now,
      });
    }
  });
  return getChannel(deps, accountId, id);
}

export async function deleteChannel(deps: AlertDeps, accountId: number, id: number, by?: AuditBy): Promise<void> {
  await writeTx(deps.db, async (trx) => {
    const ch = Number.isSafeInteger(id) ? await repo.findInAccount(trx, accountId, id) : undefined;
    if (!ch || !(await repo.deleteInAccount(trx, accountId, id))) throw new NotFoundError('Channel');
    if (by) await recordAudit(trx, { accountId, actor: by.actor, ip: by.ip ?? null, action: 'alert_channel.deleted', target: `channel ${id} (${ch.name})`, details: { kind: ch.kind }, at: deps.clock.now() });
  });
}

export async function enableChannel(deps: AlertDeps, accountId: number, id: number): Promise<void> {
  if (!Number.isSafeInteger(id) || !(await repo.enableInAccount(deps.db, accountId, id, deps.clock.now()))) throw new NotFoundError('Channel');
}

/** Sends a clearly marked test message now, once, and records it in the delivery log. */
export const TEST_GAP_MS = 10_000;
export const TESTS_PER_HOUR = 30;

export async function sendTest(deps: AlertDeps, accountId: number, id: number): Promise<DeliveryOutcome> {
  const channel = await getChannel(deps, accountId, id);
  const account = await findAccount(deps.db, accountId);
  const now = deps.clock.now();
  if (!(await kindsFor(deps, accountId)).includes(channel.kind)) {
    throw new PlanLimitError(`${limitsFor(deps.policy, account?.plan ?? 'free').label} does not include ${kindLabel(channel.kind)} alerts.`);
  }
  // Tests go to arbitrary addresses, so they are spaced per channel and counted per account.
  const recent = await outbox.testsSince(deps.db, accountId, now - 3_600_000);
  const last = Math.max(0, ...recent.filter((r) => r.channel_id === channel.id).map((r) => r.created_at));
  if (now - last < TEST_GAP_MS) throw new RateLimitError(Math.ceil((TEST_GAP_MS - (now - last)) / 1000));
  if (recent.length >= TESTS_PER_HOUR) throw new RateLimitError(Math.ceil((Math.min(...recent.map((r) => r.created_at)) + 3_600_000 - now) / 1000));
  const event: AlertEvent = {
    event: 'test',
    monitor: { id: 0, name: channel.name, url: deps.baseUrl },
    incident: null,
    link: `${deps.baseUrl}/settings/alerts/${channel.id}`,
    account: account?.name ?? '',
    at: now,
  };
  const key = `test:channel-${channel.id}:${randomToken(8)}`;
  await outbox.enqueue(deps.db, [
    {
      account_id: accountId, channel_id: channel.id, monitor_id: null, incident_id: null, event: 'test', idempotency_key: key,
      payload: JSON.stringify(event), status: 'pending', attempts: 0,
      // Claimed by this request, so the dispatcher leaves it alone.
      next_attempt_at: now, claimed_until: now + 60_000, last_error: null, created_at: now, sent_at: null,
    },
  ]);
  const row = await outbox.findByKey(deps.db, key);
  if (!row) throw new Error(`test alert ${key} was not stored`);
  // A disabled channel can still be tested: that is how a fixed receiver is verified.
  return attempt({ db: deps.db, now: () => deps.clock.now(), delivery: deps.delivery }, row, { retry: false, allowDisabled: true });
}

export const LOG_PAGE_SIZE = 25;

export async function deliveryLog(deps: AlertDeps, accountId: number, channelId: number, page: number) {
  await getChannel(deps, accountId, channelId);
  const p = Math.max(1, Math.floor(page) || 1);
  const rows = await outbox.deliveryLog(deps.db, accountId, channelId, (p - 1) * LOG_PAGE_SIZE, LOG_PAGE_SIZE + 1);
  return { rows: rows.slice(0, LOG_PAGE_SIZE), page: p, hasNext: rows.length > LOG_PAGE_SIZE };
}

export function failedAlerts(deps: AlertDeps, accountId: number) {
  return outbox.failedForAccount(deps.db, accountId);
}

/** The channels a monitor alerts, checked to be the account's own. */
export async function setMonitorChannels(deps: AlertDeps, accountId: number, monitorId: number, channelIds: number[]): Promise<void> {
  if (!(await repo.monitorInAccount(deps.db, accountId, monitorId))) throw new NotFoundError('Monitor');
  const own = new Set((await repo.listByAccount(deps.db, accountId)).map((c) => c.id));
  await repo.setMonitorChannels(deps.db, monitorId, [...new Set(channelIds)].filter((id) => own.has(id)));
}

export function monitorChannelIds(deps: AlertDeps, monitorId: number): Promise<number[]> {
  return repo.monitorChannelIds(deps.db, monitorId);
}
