import type { Db } from '../../db/create-db.ts';
import { writeTx } from '../../db/tx.ts';
import type { Clock } from '../../lib/clock.ts';
import { AuthError, ValidationError } from '../../lib/errors.ts';
import { verifyPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import { z } from 'zod';
import * as repo from './accounts.repository.ts';
import { emailField } from './accounts.ts';
import { type AccountMailDeps, linkUrl, sendAccountMail } from './emails.ts';
import { hashLinkToken, LinkError, newLinkToken, plausibleToken, TOKEN_TTL } from './tokens.ts';
import * as tokens from './user-tokens.repository.ts';

export interface LifecycleDeps extends AccountMailDeps {
  db: Db;
  clock: Clock;
}

/**
 * Emails a link that proves the user owns their address. The token remembers which address
 * it was sent to, so a link cannot verify an address changed since.
 */
export async function sendVerificationEmail(deps: LifecycleDeps, user: { id: number; email: string }): Promise<{ sent: Promise<boolean> }> {
  const { token, hash } = newLinkToken();
  const now = deps.clock.now();
  await tokens.insertToken(deps.db, { userId: user.id, purpose: 'verify_email', tokenHash: hash, newEmail: user.email, now, expiresAt: now + TOKEN_TTL.verify_email });
  // Never rejects (failures are logged): callers may wait for it or not.
  const sent = sendAccountMail(deps, {
    to: user.email,
    subject: 'Confirm your email address for StatusPing',
    paragraphs: [
      'Confirm that this address is yours so StatusPing can email you alerts and account notices.',
      'The link works once and expires in 48 hours. If you did not sign up, ignore this email.',
    ],
    link: { url: linkUrl(deps, `/verify-email/${token}`), label: 'Confirm your email address' },
  });
  return { sent };
}

const USED_OR_UNKNOWN = 'This link was already used or is not valid. Log in and ask for a new one from the banner on your dashboard.';
const EXPIRED = 'This link has expired. Log in and ask for a new one from the banner on your dashboard.';

/** Loads a live token of a purpose, or throws a LinkError that says what went wrong. */
export async function liveToken(deps: Pick<LifecycleDeps, 'db' | 'clock'>, purpose: tokens.TokenPurpose, token: string | undefined, messages = { used: USED_OR_UNKNOWN, expired: EXPIRED }) {
  if (!plausibleToken(token)) throw new LinkError(messages.used);
  const t = await tokens.findToken(deps.db, purpose, hashLinkToken(token));
  if (!t || t.usedAt !== null) throw new LinkError(messages.used);
  if (t.expiresAt <= deps.clock.now()) throw new LinkError(messages.expired);
  return t;
}

/** Follows a verification link: marks the address verified, once. */
export async function verifyEmail(deps: Pick<LifecycleDeps, 'db' | 'clock'>, token: string | undefined): Promise<{ email: string }> {
  const t = await liveToken(deps, 'verify_email', token);
  const now = deps.clock.now();
  return writeTx(deps.db, async (trx) => {
    const user = await repo.findUser(trx, t.userId);
    if (!user || user.email !== t.newEmail) throw new LinkError('This link was sent to an address that is no longer on the account.');
    if (!(await tokens.useToken(trx, t.id, now))) throw new LinkError(USED_OR_UNKNOWN);
    await repo.markEmailVerified(trx, user.id, now);
    return { email: user.email };
  });
}

const changeEmailSchema = z.object({
  new_email: emailField,
  current_password: z.string().min(1, 'Enter your current password').max(256, 'Your current password is not correct.'),
});

/**
 * Starts an address change: checks the password, refuses an address another user has,
 * emails a confirmation link to the NEW address and a notice to the old one. Nothing
 * changes until the new address confirms.
 */
export async function requestEmailChange(deps: LifecycleDeps, userId: number, raw: unknown): Promise<{ newEmail: string }> {
  const input = parseInput(changeEmailSchema, raw);
  const user = await repo.findUser(deps.db, userId);
  if (!user) throw new AuthError();
  if (!(await verifyPassword(user.passwordHash, input.current_password))) {
    throw new ValidationError('Your current password is not correct.', { current_password: 'Your current password is not correct.' });
  }
  if (input.new_email === user.email) throw new ValidationError('That is already your address.', { new_email: 'That is already your address.' });
  if (await repo.findUserByEmail(deps.db, input.new_email)) {
    throw new ValidationError('That address is already used by another StatusPing login.', { new_email: 'That address is already used by another StatusPing login.' });
  }
  const { token, hash } = newLinkToken();
  const now = deps.clock.now();
  await tokens.insertToken(deps.db, { userId, purpose: 'change_email', tokenHash: hash, newEmail: input.new_email, now, expiresAt: now + TOKEN_TTL.change_email });
  await sendAccountMail(deps, {
    to: input.new_email,
    subject: 'Confirm your new email address for StatusPing',
    paragraphs: [
      `Someone (hopefully you) asked to change the StatusPing login ${user.email} to this address.`,
      'Open the link to confirm. It works once and expires in 48 hours. If this was not you, ignore this email.',
    ],
    link: { url: linkUrl(deps, `/confirm-email/${token}`), label: 'Confirm the new address' },
  });
  await sendAccountMail(deps, {
    to: user.email,
    subject: 'Your StatusPing email address is about to change',
    paragraphs: [
      `A change of your StatusPing login address to ${input.new_email} was requested. It takes effect only when that address confirms.`,
      'If this was not you, change your password now: someone knows it.',
    ],
  });
  return { newEmail: input.new_email };
}

const CHANGE_MESSAGES = {
  used: 'This confirmation link was already used or is not valid. Ask for the change again from Settings.',
  expired: 'This confirmation link has expired. Ask for the change again from Settings.',
};

/** The change a confirmation link would make, for the page that asks to confirm it. */
export async function peekEmailChange(deps: Pick<LifecycleDeps, 'db' | 'clock'>, token: string | undefined) {
  const t = await liveToken(deps, 'change_email', token, CHANGE_MESSAGES);
  const user = await repo.findUser(deps.db, t.userId);
  if (!user) throw new LinkError(CHANGE_MESSAGES.used);
  return { from: user.email, to: t.newEmail ?? '' };
}

/** The new address confirmed: the login changes to it (already verified by this very link). */
export async function confirmEmailChange(deps: Pick<LifecycleDeps, 'db' | 'clock'>, token: string | undefined): Promise<{ email: string }> {
  const t = await liveToken(deps, 'change_email', token, CHANGE_MESSAGES);
  const now = deps.clock.now();
  const newEmail = t.newEmail ?? '';
  return writeTx(deps.db, async (trx) => {
    if (await repo.findUserByEmail(trx, newEmail)) throw new LinkError('That address is now used by another StatusPing login, so the change cannot be made.');
    if (!(await tokens.useToken(trx, t.id, now))) throw new LinkError(CHANGE_MESSAGES.used);
    await repo.updateEmail(trx, t.userId, newEmail, now);
    // Other pending changes and verifications were for an address the user no longer has.
    await tokens.retireTokens(trx, t.userId, 'change_email', now);
    await tokens.retireTokens(trx, t.userId, 'verify_email', now);
    return { email: newEmail };
  });
}
