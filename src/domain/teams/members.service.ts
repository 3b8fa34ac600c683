import type { Db } from '../../db/create-db.ts';
import { type Trx, writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors.ts';
import { isDbId } from '../../lib/ids.ts';
import { parseInput } from '../../lib/validate.ts';
import { lockAccount as lockAccountRow } from '../accounts/accounts.repository.ts';
import type { Role } from '../accounts/roles.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import * as repo from './members.repository.ts';
import { canAssign, canManage, roleSchema } from './teams.ts';

export interface TeamDeps {
  db: Db;
  clock: Clock;
}

/** The signed-in member acting on their account. */
export interface Actor {
  userId: number;
  email: string;
  role: Role;
  ip?: string | null;
}

export type Member = repo.MemberRow & { role: Role };

export function listMembers(deps: TeamDeps, accountId: number): Promise<Member[]> {
  return repo.listMembers(deps.db, accountId) as Promise<Member[]>;
}

/** The accounts the user can switch between. */
export function accountsOf(deps: Pick<TeamDeps, 'db'>, userId: number) {
  return repo.accountsOfUser(deps.db, userId);
}

/** Serialises membership changes of one account so two requests cannot both remove "one of two" owners. */
function lockAccount(trx: Trx, accountId: number): Promise<void> {
  return lockAccountRow(trx, accountId);
}

async function memberOrThrow(trx: Trx, accountId: number, userId: number): Promise<Member> {
  const m = isDbId(userId) ? await repo.findMember(trx, accountId, userId) : undefined;
  if (!m) throw new NotFoundError('Member');
  return m as Member;
}

async function refuseLastOwner(trx: Trx, accountId: number, target: Member, message: string): Promise<void> {
  if (target.role === 'owner' && (await repo.countOwners(trx, accountId)) <= 1) throw new ConflictError(message, 'last_owner');
}

const audit = (by: Actor) => ({ actor: { userId: by.userId, email: by.email }, ip: by.ip ?? null });

export async function changeRole(deps: TeamDeps, accountId: number, by: Actor, userId: number, raw: unknown): Promise<void> {
  const { role } = parseInput(roleSchema, raw);
  await writeTx(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const target = await memberOrThrow(trx, accountId, userId);
    if (!canManage(by.role, target.role)) throw new ForbiddenError("Only an owner can change an owner's role.");
    if (!canAssign(by.role, role)) throw new ForbiddenError('Only an owner can make someone an owner.');
    if (target.role === role) return;
    await refuseLastOwner(trx, accountId, target, `${target.email} is the last owner. Make another member an owner first.`);
    await repo.setRole(trx, accountId, userId, role);
    await recordAudit(trx, { accountId, ...audit(by), action: 'member.role_changed', target: `member ${target.email}`, details: { from: target.role, to: role }, at: deps.clock.now() });
  });
}

/** Ends a membership and moves the user's sessions on this account elsewhere (or ends them). */
async function endMembership(trx: Trx, deps: TeamDeps, accountId: number, target: Member): Promise<number | null> {
  await repo.deleteMembership(trx, accountId, target.userId);
  const others = await repo.accountsOfUser(trx, target.userId);
  const next = others[0]?.id ?? null;
  await repo.moveSessionsOff(trx, target.userId, accountId, next, deps.clock.now());
  return next;
}

export async function removeMember(deps: TeamDeps, accountId: number, by: Actor, userId: number): Promise<void> {
  if (userId === by.userId) {
    await leaveAccount(deps, accountId, by);
    return;
  }
  await writeTx(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const target = await memberOrThrow(trx, accountId, userId);
    if (!canManage(by.role, target.role)) throw new ForbiddenError('Only an owner can remove an owner.');
    await refuseLastOwner(trx, accountId, target, `${target.email} is the last owner and cannot be removed.`);
    await endMembership(trx, deps, accountId, target);
    await recordAudit(trx, { accountId, ...audit(by), action: 'member.removed', target: `member ${target.email}`, details: { role: target.role }, at: deps.clock.now() });
  });
}

/** Leaves the account; returns the account the user's sessions moved to, or null if none is left. */
export async function leaveAccount(deps: TeamDeps, accountId: number, by: Actor): Promise<number | null> {
  return writeTx(deps.db, async (trx) => {
    await lockAccount(trx, accountId);
    const me = await memberOrThrow(trx, accountId, by.userId);
    await refuseLastOwner(trx, accountId, me, 'You are the last owner of this account. Make another member an owner before you leave.');
    const next = await endMembership(trx, deps, accountId, me);
    await recordAudit(trx, { accountId, ...audit(by), action: 'member.left', target: `member ${me.email}`, details: { role: me.role }, at: deps.clock.now() });
    return next;
  });
}

/** Moves a session to another account of its user; any other account id is a 404. */
export async function switchAccount(deps: TeamDeps, session: { id: string; userId: number }, accountId: number): Promise<void> {
  const mine = isDbId(accountId) ? (await repo.accountsOfUser(deps.db, session.userId)).some((a) => a.id === accountId) : false;
  if (!mine) throw new NotFoundError('Account');
  await repo.setSessionAccount(deps.db, session.id, accountId);
}
