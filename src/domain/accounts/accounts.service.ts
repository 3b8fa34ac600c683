import type { Role } from './roles.ts';
import type { Db } from '../../db/create-db.ts';
import { isUniqueViolation } from '../../db/dialect.ts';
import { writeTx } from '../../db/tx.ts';
import { type Clock, DAY, MINUTE } from '../../lib/clock.ts';
import { AppError, AuthError, ForbiddenError, ValidationError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/ids.ts';
import { burnVerify, hashPassword, verifyPassword } from '../../lib/password.ts';
import { clientKey } from '../../lib/client-key.ts';
import { type RateLimiter, type RateLimits, spend } from '../../lib/rate-limit.ts';
import { RESERVED_SLUGS, slugify } from '../../lib/slug.ts';
import { parseInput } from '../../lib/validate.ts';
import * as repo from './accounts.repository.ts';
import { getSetting, SIGNUP_SETTING } from './instance-settings.repository.ts';
import { type Account, adminCreateUserSchema, changePasswordSchema, logInSchema, type Session, signUpSchema, type User } from './accounts.ts';

export const SESSION_TTL_MS = 30 * DAY;
const INVALID_LOGIN = 'Incorrect email or password.';

export interface AccountDeps {
  db: Db;
  clock: Clock;
  loginLimits: LoginLimits;
  /** Public sign-up; when closed only the very first user (the instance admin) may sign up. */
  signupsOpen: boolean;
}

export const SIGNUP_CLOSED = 'Sign-up is closed on this instance. Ask its administrator for an account.';

/** Failed logins: 10 per address and 30 per client IP (an IPv6 client by its /64) in 15 minutes. */
export class LoginLimits {
  readonly byEmail: RateLimiter;
  readonly byIp: RateLimiter;
  constructor(limits: RateLimits, perEmail = 10, perIp = 30, windowMs = 15 * MINUTE) {
    this.byEmail = limits.limiter('login-email', perEmail, windowMs);
    this.byIp = limits.limiter('login-ip', perIp, windowMs);
  }
}

async function uniqueSlug(db: Db, name: string): Promise<string> {
  const base = slugify(name);
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 && !RESERVED_SLUGS.has(base) ? base : `${base}-${i}`;
    if (!(await repo.slugTaken(db, candidate))) return candidate;
  }
  return `${base}-${randomToken(4).toLowerCase()}`;
}

export interface SignedIn {
  user: User;
  account: Account;
  session: Session;
  /** The user's role in the session's account. */
  role: Role;
}

async function openSession(deps: Pick<AccountDeps, 'db' | 'clock'>, userId: number, accountId: number, userAgent: string | null): Promise<Session> {
  const now = deps.clock.now();
  const session: Session = { id: randomToken(24), userId, accountId, expiresAt: now + SESSION_TTL_MS };
  await repo.insertSession(deps.db, { ...session, createdAt: now, userAgent: userAgent?.slice(0, 200) ?? null });
  return session;
}

async function signedIn(deps: Pick<AccountDeps, 'db'>, userId: number, session: Session): Promise<SignedIn> {
  const user = await repo.findUser(deps.db, userId);
  const account = await repo.findAccount(deps.db, session.accountId);
  const role = await repo.roleOf(deps.db, session.accountId, userId);
  if (!user || !account || !role) throw new AuthError();
  const { passwordHash: _, lastSeenAt: __, ...publicUser } = user;
  return { user: publicUser, account, session, role };
}

/** Opens a fresh session in the user's first account (after a password reset, for instance). */
export async function signInUser(deps: Pick<AccountDeps, 'db' | 'clock'>, userId: number, userAgent: string | null): Promise<SignedIn> {
  const accountId = await repo.firstAccountOfUser(deps.db, userId);
  if (!accountId) throw new AuthError('Your login has no account any more. Ask the administrator of this instance.');
  return startSession(deps, userId, accountId, userAgent);
}

/** Opens a session for a user on one of their accounts (e.g. after accepting an invitation). */
export async function startSession(deps: Pick<AccountDeps, 'db' | 'clock'>, userId: number, accountId: number, userAgent: string | null): Promise<SignedIn> {
  return signedIn(deps, userId, await openSession(deps, userId, accountId, userAgent));
}

/**
 * Creates the user, their account (tenant), the owner membership and the default status page.
 * Signing up again with a registered address and its correct password simply logs in, and
 * any other clash gets the same wording as a failed login, so the form does not confirm
 * which addresses have accounts.
 */
export async function signUp(deps: AccountDeps, raw: unknown, ip: string, userAgent: string | null): Promise<SignedIn> {
  const input = parseInput(signUpSchema, raw);
  const existing = await repo.findUserByEmail(deps.db, input.email);
  if (existing) {
    // The same limits as a login: this path also tells whether a password is right.
    const attempt = await countAttempt(deps, input.email, ip);
    if (await verifyPassword(existing.password_hash, input.password)) {
      const accountId = await repo.firstAccountOfUser(deps.db, existing.id);
      if (accountId) {
        await attempt.succeeded();
        return signedIn(deps, existing.id, await openSession(deps, existing.id, accountId, userAgent));
      }
    }
    throw new ValidationError(SIGNUP_CLASH, {});
  }
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  const created = await createTenant(deps, input, passwordHash, now).catch(async (err) => {
    // Two sign-ups racing for the same slug: one more try picks the next free slug.
    if (isUniqueViolation(err)) return createTenant(deps, input, passwordHash, now).catch((e) => (isUniqueViolation(e) ? null : Promise.reject(e)));
    throw err;
  });
  if (!created) throw new ValidationError(SIGNUP_CLASH, {});
  return signedIn(deps, created.userId, await openSession(deps, created.userId, created.accountId, userAgent));
}

const SIGNUP_CLASH = 'We could not create an account with these details. If you already have one, log in instead.';

/**
 * Counts a password attempt against the address and the client IP before the password is
 * checked, so parallel guesses cannot all slip under the limit; a success takes it back.
 */
async function countAttempt(deps: AccountDeps, email: string, ip: string) {
  const { byEmail, byIp } = deps.loginLimits;
  const emailKey = `email:${email}`;
  const ipKey = `ip:${clientKey(ip)}`;
  await spend([byEmail, emailKey], [byIp, ipKey]);
  return {
    async succeeded() {
      await Promise.all([byEmail.reset(emailKey), byIp.undo(ipKey)]);
    },
  };
}

function createTenant(
  deps: Pick<AccountDeps, 'db' | 'signupsOpen'>,
  input: { email: string; organization: string },
  passwordHash: string,
  now: number,
  opts: { byAdmin?: boolean } = {},
) {
  return writeTx(deps.db, async (trx) => {
    if (await repo.findUserByEmail(trx, input.email)) return null;
    const isAdmin = (await repo.countUsers(trx)) === 0;
    if (!isAdmin && !opts.byAdmin && !(await signupsOpenNow({ ...deps, db: trx }))) throw new ForbiddenError(SIGNUP_CLOSED, 'signup_closed');
    const userId = await repo.insertUser(trx, { email: input.email, passwordHash, isAdmin, now });
    const slug = await uniqueSlug(trx, input.organization);
    const accountId = await repo.insertAccount(trx, { name: input.organization, slug, now });
    await repo.insertMembership(trx, { accountId, userId, role: 'owner', now });
    await repo.insertFirstPage(trx, { accountId, slug, title: input.organization, now });
    return { userId, accountId };
  });
}

/**
 * The instance admin creates a login with its own account, even with sign-up closed. The
 * password is random and never shown: the user chooses theirs from an emailed link.
 */
export async function createUserByAdmin(deps: Pick<AccountDeps, 'db' | 'clock' | 'signupsOpen'>, raw: unknown): Promise<{ userId: number; accountId: number; email: string; organization: string }> {
  const input = parseInput(adminCreateUserSchema, raw);
  const passwordHash = await hashPassword(randomToken(32));
  const created = await createTenant(deps, input, passwordHash, deps.clock.now(), { byAdmin: true }).catch(async (err) => {
    if (isUniqueViolation(err)) return createTenant(deps, input, passwordHash, deps.clock.now(), { byAdmin: true });
    throw err;
  });
  if (!created) throw new ValidationError('That address already has a login.', { email: 'That address already has a login.' });
  return { ...created, email: input.email, organization: input.organization };
}

/** Email + password login, rate-limited per address and per client IP. */
export async function logIn(deps: AccountDeps, raw: unknown, ip: string, userAgent: string | null): Promise<SignedIn> {
  const input = parseInput(logInSchema, raw);
  const attempt = await countAttempt(deps, input.email, ip);
  const user = await repo.findUserByEmail(deps.db, input.email);
  const ok = user ? await verifyPassword(user.password_hash, input.password) : (await burnVerify(input.password), false);
  const accountId = user && ok ? await repo.firstAccountOfUser(deps.db, user.id) : undefined;
  if (!user || !ok || !accountId) throw new AppError('invalid_credentials', INVALID_LOGIN, 401, { email: INVALID_LOGIN });
  await attempt.succeeded();
  return signedIn(deps, user.id, await openSession(deps, user.id, accountId, userAgent));
}

/** Whether the sign-up form should be offered. */
export async function signupAvailable(deps: Pick<AccountDeps, 'db' | 'signupsOpen'>): Promise<boolean> {
  return (await signupsOpenNow(deps)) || (await repo.countUsers(deps.db)) === 0;
}

/**
 * Whether anyone may sign up now. Precedence: the instance admin's choice on /admin (stored
 * in instance_settings), else `deps.signupsOpen` (ALLOW_SIGNUP, whose own default is open in
 * SaaS mode and closed self-hosted).
 */
export async function signupsOpenNow(deps: Pick<AccountDeps, 'db' | 'signupsOpen'>): Promise<boolean> {
  const stored = await getSetting(deps.db, SIGNUP_SETTING);
  return stored === '1' ? true : stored === '0' ? false : deps.signupsOpen;
}

/** Resolves a session id to the signed-in user, or null if it was revoked or expired. */
export async function resumeSession(deps: Pick<AccountDeps, 'db' | 'clock'>, sessionId: string): Promise<SignedIn | null> {
  const session = await repo.findLiveSession(deps.db, sessionId, deps.clock.now());
  if (!session) return null;
  const user = await repo.findUser(deps.db, session.userId);
  const account = await repo.findAccount(deps.db, session.accountId);
  // A session outlives nothing: a user removed from the account is signed out of it.
  const role = await repo.roleOf(deps.db, session.accountId, session.userId);
  if (!user || !account || !role) return null;
  const now = deps.clock.now();
  // "Last activity" for the instance admin, written at most once per 5 minutes per user.
  if (user.lastSeenAt === null || now - user.lastSeenAt >= LAST_SEEN_EVERY_MS) await repo.touchLastSeen(deps.db, user.id, now, LAST_SEEN_EVERY_MS);
  const { passwordHash: _, lastSeenAt: __, ...publicUser } = user;
  return { user: publicUser, account, session, role };
}

export const LAST_SEEN_EVERY_MS = 5 * MINUTE;

export function logOut(deps: Pick<AccountDeps, 'db' | 'clock'>, sessionId: string): Promise<void> {
  return repo.revokeSession(deps.db, sessionId, deps.clock.now());
}

export function logOutEverywhere(deps: Pick<AccountDeps, 'db' | 'clock'>, userId: number): Promise<void> {
  return repo.revokeUserSessions(deps.db, userId, deps.clock.now());
}

/** Changes the password and revokes every other session of the user. */
export async function changePassword(deps: AccountDeps, userId: number, currentSessionId: string, raw: unknown): Promise<void> {
  const input = parseInput(changePasswordSchema, raw);
  const user = await repo.findUser(deps.db, userId);
  if (!user) throw new AuthError();
  if (!(await verifyPassword(user.passwordHash, input.current_password))) {
    throw new ValidationError('Your current password is not correct.', { current_password: 'Your current password is not correct.' });
  }
  const hash = await hashPassword(input.new_password);
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    await repo.updatePassword(trx, userId, hash, now);
    await repo.revokeUserSessions(trx, userId, now, currentSessionId);
  });
}

/** Whether the user belongs to the account (members-only status pages let them in). */
export function isMemberOf(db: Db, accountId: number, userId: number): Promise<boolean> {
  return repo.isMember(db, accountId, userId);
}
