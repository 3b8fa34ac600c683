import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { NotFoundError, PlanLimitError, RateLimitError, ValidationError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/ids.ts';
import { type NetGuard, OPEN_GUARD } from '../../lib/net-guard.ts';
import { intervalViolation, limitsFor, monitorCountViolation, type PlanLimits, type PlanPolicy } from '../billing/plans.ts';
import * as accounts from '../accounts/accounts.repository.ts';
import { type AuditBy, recordAudit } from '../audit/audit.repository.ts';
import * as channels from '../alerts/channels.repository.ts';
import { CHECK_TYPES } from '../checks/probes/index.ts';
import { type AnyCheckType, type CheckTypeRegistry, namedHosts, settingNames } from '../checks/probes/registry.ts';
import type { DomainEventHub } from '../events.ts';
import * as repo from './monitors.repository.ts';
import { type ParsedMonitor, parseMonitorInput, typeOfInput } from './monitor-input.ts';
import { keepStoredSecrets } from './monitor-secrets.ts';
import type { Monitor } from './monitors.ts';

export interface MonitorDeps {
  db: Db;
  clock: Clock;
  policy: PlanPolicy;
  /** Refuses targets naming private or reserved hosts (SaaS mode / BLOCK_PRIVATE_TARGETS); default: none refused. */
  guard?: NetGuard;
  /** BROWSER_CHECKS=1 on a self-hosted instance. */
  browserChecks?: boolean;
  /** The instance's own host name (from BASE_URL), refused as a target with the private ones. */
  ownHost?: string;
  /** The check types monitors may have; default: the built-in ones. */
  types?: CheckTypeRegistry;
}

const typesOf = (deps: Pick<MonitorDeps, 'types'>) => deps.types ?? CHECK_TYPES;

/** HTTP's request columns predate the settings JSON; they mirror it for readers of the row. */
function mirroredColumns(s: ParsedMonitor['settings']) {
  return {
    method: typeof s.method === 'string' ? s.method : 'GET',
    expected_status: typeof s.expected_status === 'string' ? s.expected_status : '200-399',
    keyword: typeof s.keyword === 'string' && s.keyword !== '' ? s.keyword : null,
  };
}

/** Creating and editing also tell status pages when a monitor is made public (see src/runtime/events.ts). */
export interface MonitorEditDeps extends MonitorDeps {
  events: DomainEventHub;
}

function columnsFrom(input: ParsedMonitor) {
  return {
    type: input.type,
    settings: JSON.stringify(input.settings),
    retries: input.retries,
    degraded_ms: input.degraded_ms ?? null,
    name: input.name,
    url: input.url,
    ...mirroredColumns(input.settings),
    timeout_ms: input.timeout_seconds * 1000,
    interval_s: input.interval_seconds,
    is_public: input.is_public ? 1 : 0,
    failure_threshold: input.failure_threshold,
    reminder_hours: input.reminder_hours ?? null,
  };
}

async function planLimits(db: Db, deps: MonitorDeps, accountId: number) {
  const account = await accounts.findAccount(db, accountId);
  if (!account) throw new NotFoundError('Account');
  return limitsFor(deps.policy, account.plan);
}

/**
 * The field and message of a target the guard refuses at save time: every host the type
 * says it connects to (a DNS monitor's own resolver is one too).
 */
export function targetRefusal(input: ParsedMonitor, guard: NetGuard, ownHost?: string, types: CheckTypeRegistry = CHECK_TYPES): { field: string; message: string } | null {
  const def = types.get(input.type);
  for (const h of def ? namedHosts(def, input.settings) : []) {
    const why = guard.hostRefusal(h.host, ownHost);
    if (why) return { field: h.field, message: h.what ? `${h.what} ${why}` : why };
  }
  return null;
}

/**
 * Validates input and the plan's minimum interval together, so a form shows every problem
 * at once (an interval under the plan minimum is often also shorter than the timeout).
 */
function validate(deps: MonitorDeps, raw: unknown, limits: PlanLimits, strict = false): ParsedMonitor {
  const { guard = OPEN_GUARD, ownHost } = deps;
  const selfHosted = deps.policy.selfHosted;
  const rawInterval = Number((raw as { interval_seconds?: unknown } | null)?.interval_seconds);
  const planMsg = Number.isFinite(rawInterval) && rawInterval >= 1 ? intervalViolation(limits, rawInterval) : null;
  let input: ParsedMonitor;
  try {
    input = parseMonitorInput(raw, { types: typesOf(deps), strict });
  } catch (err) {
    if (err instanceof ValidationError && planMsg) {
      throw new ValidationError(err.message, { ...err.fields, interval_seconds: err.fields.interval_seconds ?? planMsg });
    }
    throw err;
  }
  // The worker re-checks every resolved address; this catches the obvious cases in the form.
  const refused = targetRefusal(input, guard, ownHost, typesOf(deps));
  if (refused) throw new ValidationError(refused.message, { [refused.field]: refused.message });
  // A plan limit is a payment matter (402); the self-hosted minimum is plain validation.
  if (planMsg) throw selfHosted ? new ValidationError(planMsg, { interval_seconds: planMsg }) : new PlanLimitError(planMsg, { interval_seconds: planMsg });
  return input;
}

/** Records a monitor change in the account's audit log when the caller says who acted. */
async function audit(db: Db, by: AuditBy | undefined, accountId: number, action: string, m: Pick<Monitor, 'id' | 'name'>, at: number, details: Record<string, unknown> = {}) {
  if (!by) return;
  await recordAudit(db, { accountId, actor: by.actor, ip: by.ip ?? null, action, target: `monitor ${m.id} (${m.name})`, details, at });
}

/**
 * Names of the settings that differ between two versions of a monitor, type settings as
 * "settings.<name>" (so a changed token is on record): names only, never values.
 */
function changedFields(before: Monitor, after: Monitor): string[] {
  const skip = new Set(['updatedAt', 'status', 'consecutiveFailures', 'lastCheckedAt', 'lastOk', 'lastStatusCode', 'lastResponseMs', 'lastError', 'checkRequestedAt', 'settings']);
  const differs = (k: string) => JSON.stringify(before.settings[k]) !== JSON.stringify(after.settings[k]);
  const settings = [...new Set([...Object.keys(before.settings), ...Object.keys(after.settings)])].filter(differs);
  return [
    ...(Object.keys(after) as (keyof Monitor)[]).filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])),
    ...settings.sort().map((k) => `settings.${k}`),
  ];
}

export function listMonitors(deps: MonitorDeps, accountId: number): Promise<Monitor[]> {
  return repo.listByAccount(deps.db, accountId);
}

export async function getMonitor(deps: MonitorDeps, accountId: number, id: number): Promise<Monitor> {
  const m = Number.isSafeInteger(id) ? await repo.findInAccount(deps.db, accountId, id) : undefined;
  if (!m) throw new NotFoundError('Monitor');
  return m;
}

/** Each type with the reason it cannot be added to this account here (shown in the type chooser), or null. */
export async function typeAvailability(deps: Pick<MonitorDeps, 'db' | 'policy' | 'browserChecks' | 'types'>, accountId: number) {
  const account = await accounts.findAccount(deps.db, accountId);
  const where = { selfHosted: deps.policy.selfHosted, plan: account?.plan ?? 'free', flags: { BROWSER_CHECKS: !!deps.browserChecks } };
  return typesOf(deps).list.map((def) => ({ type: def.type, label: def.label, unavailable: def.available?.(where) ?? null }));
}

/** A type the instance or the plan does not offer: plain validation self-hosted, a payment matter (402) otherwise. */
async function checkTypeAllowed(deps: MonitorDeps, accountId: number, type: string): Promise<void> {
  const reason = (await typeAvailability(deps, accountId)).find((t) => t.type === type)?.unavailable;
  if (!reason) return;
  throw deps.policy.selfHosted ? new ValidationError(reason, { type: reason }) : new PlanLimitError(reason, { type: reason });
}

/** Creates a monitor from form or API input; `strict` (the API) refuses fields the type does not have. */
export async function createMonitor(deps: MonitorEditDeps, accountId: number, raw: unknown, by?: AuditBy, opts: { strict?: boolean } = {}): Promise<Monitor> {
  const input = validate(deps, raw, await planLimits(deps.db, deps, accountId), opts.strict);
  await checkTypeAllowed(deps, accountId, input.type);
  const now = deps.clock.now();
  const id = await writeTx(deps.db, async (trx) => {
    // Serialise creations per account so concurrent requests cannot overshoot the plan limit:
    // SQLite already holds the write lock (BEGIN IMMEDIATE); PostgreSQL locks the account row.
    await accounts.lockAccount(trx, accountId);
    const limits = await planLimits(trx, deps, accountId);
    const countMsg = monitorCountViolation(limits, await repo.countInAccount(trx, accountId));
    if (countMsg) throw new PlanLimitError(countMsg);
    const id = await repo.insert(trx, {
      account_id: accountId,
      ...columnsFrom(input),
      // Push types (heartbeats) count from creation: the first ping is due one period (+ grace) later.
      ...(typesOf(deps).get(input.type)?.probed === false ? { push_token: randomToken(18) } : {}),
      is_paused: 0,
      status: 'pending',
      consecutive_failures: 0,
      created_at: now,
      updated_at: now,
    });
    // Channels marked "use for new monitors" alert this one from the start.
    await channels.setMonitorChannels(trx, id, await channels.defaultIds(trx, accountId));
    if (input.is_public) await deps.events.emit(trx, 'monitor.made_public', { accountId, monitorId: id, at: now });
    await audit(trx, by, accountId, 'monitor.created', { id, name: input.name }, now, { type: input.type, interval_seconds: input.interval_seconds });
    return id;
  });
  return getMonitor(deps, accountId, id);
}

/** The stored monitor as input, with only the keys its type knows: what a patch changes. */
function asInput(m: Monitor, def: AnyCheckType): Record<string, unknown> {
  const known = new Set(settingNames(def));
  return {
    ...Object.fromEntries(Object.entries(m.settings).filter(([k]) => known.has(k))),
    type: m.type, name: m.name, interval_seconds: m.intervalSeconds, timeout_seconds: m.timeoutMs / 1000, failure_threshold: m.failureThreshold,
    retries: m.retries, degraded_ms: m.degradedMs ?? undefined, reminder_hours: m.reminderHours ?? undefined, is_public: m.isPublic,
  };
}

/** Saves a monitor edited from the form: the whole monitor as submitted (blank credentials keep the stored ones). */
export async function updateMonitor(deps: MonitorEditDeps, accountId: number, id: number, raw: unknown, by?: AuditBy): Promise<Monitor> {
  const before = await getMonitor(deps, accountId, id);
  return saveChanges(deps, accountId, before, (raw ?? {}) as Record<string, unknown>, by, false);
}

/**
 * Changes only the fields a patch names (the API's PATCH); null clears a field, so its
 * default applies. Unknown fields are refused, as on create.
 */
export async function patchMonitor(deps: MonitorEditDeps, accountId: number, id: number, patch: Record<string, unknown>, by?: AuditBy): Promise<Monitor> {
  const before = await getMonitor(deps, accountId, id);
  const def = typeOfInput({ type: before.type }, typesOf(deps));
  const merged = { ...asInput(before, def), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === null) delete merged[k];
  return saveChanges(deps, accountId, before, merged, by, true);
}

async function saveChanges(deps: MonitorEditDeps, accountId: number, before: Monitor, raw: Record<string, unknown>, by: AuditBy | undefined, strict: boolean): Promise<Monitor> {
  const id = before.id;
  if (raw.type !== undefined && raw.type !== '' && raw.type !== before.type) {
    throw new ValidationError('The type of an existing monitor cannot change; add a new monitor instead', { type: 'The type cannot change' });
  }
  // Credentials are never shown, so a form or client sends them blank: blank keeps the stored one.
  const withSecrets = keepStoredSecrets(typesOf(deps).get(before.type), { ...raw, type: before.type }, before.settings);
  const input = validate(deps, withSecrets, await planLimits(deps.db, deps, accountId), strict);
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    if (!(await repo.updateInAccount(trx, accountId, id, { ...columnsFrom(input), updated_at: now }))) throw new NotFoundError('Monitor');
    // Made public while on no page, it shows on the first page, as before pages had components.
    // (Only on the change to public: a public monitor taken off every page stays off.)
    if (input.is_public && !before.isPublic) await deps.events.emit(trx, 'monitor.made_public', { accountId, monitorId: id, at: now });
    const after = await repo.findInAccount(trx, accountId, id);
    if (after) await audit(trx, by, accountId, 'monitor.updated', after, now, { changed: changedFields(before, after) });
  });
  return getMonitor(deps, accountId, id);
}

export async function setPaused(deps: MonitorDeps, accountId: number, id: number, paused: boolean, by?: AuditBy): Promise<Monitor> {
  if (!paused) await checkResumeAllowed(deps, accountId, id);
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    const m = Number.isSafeInteger(id) ? await repo.findInAccount(trx, accountId, id) : undefined;
    // A person's choice replaces the plan's: paused_reason is only for pauses the system made.
    if (!m || !(await repo.updateInAccount(trx, accountId, id, { is_paused: paused ? 1 : 0, paused_reason: null, updated_at: now }))) throw new NotFoundError('Monitor');
    if (m.isPaused !== paused) await audit(trx, by, accountId, paused ? 'monitor.paused' : 'monitor.resumed', m, now);
  });
  return getMonitor(deps, accountId, id);
}

/**
 * After a downgrade the plan keeps only its limit of monitors running; resuming one more
 * needs another paused or deleted first (or an upgrade).
 */
async function checkResumeAllowed(deps: MonitorDeps, accountId: number, id: number): Promise<void> {
  if (deps.policy.selfHosted) return;
  const m = await getMonitor(deps, accountId, id);
  if (!m.isPaused) return;
  const limits = await planLimits(deps.db, deps, accountId);
  if (limits.maxMonitors === null) return;
  const running = await repo.countRunning(deps.db, accountId);
  if (running >= limits.maxMonitors) {
    throw new PlanLimitError(`${limits.label} runs at most ${limits.maxMonitors} monitors at once. Pause or delete another one, or upgrade, to resume this one.`);
  }
}

/** Asks the worker for an immediate check; it notices the timestamp within a couple of seconds. */
export async function requestCheck(deps: MonitorDeps, accountId: number, id: number): Promise<Monitor> {
  const now = deps.clock.now();
  const current = await getMonitor(deps, accountId, id);
  // Manual checks are spaced so they cannot stand in for a shorter interval than the plan's.
  const gapMs = (deps.policy.selfHosted ? 5 : 30) * 1000;
  if (current.checkRequestedAt !== null && now - current.checkRequestedAt < gapMs) {
    throw new RateLimitError(Math.ceil((gapMs - (now - current.checkRequestedAt)) / 1000));
  }
  const found = await repo.updateInAccount(deps.db, accountId, id, { check_requested_at: now, updated_at: now });
  if (!found) throw new NotFoundError('Monitor');
  return getMonitor(deps, accountId, id);
}

export async function deleteMonitor(deps: MonitorDeps, accountId: number, id: number, by?: AuditBy): Promise<void> {
  await writeTx(deps.db, async (trx) => {
    const m = Number.isSafeInteger(id) ? await repo.findInAccount(trx, accountId, id) : undefined;
    if (!m || !(await repo.deleteInAccount(trx, accountId, id))) throw new NotFoundError('Monitor');
    await audit(trx, by, accountId, 'monitor.deleted', m, deps.clock.now(), { type: m.type });
  });
}
