import { z } from 'zod';
import { writeTx } from '../../db/tx.ts';
import { hashPassword } from '../../lib/password.ts';
import { parseInput } from '../../lib/validate.ts';
import * as repo from './accounts.repository.ts';
import { emailField, passwordField } from './accounts.ts';
import { linkUrl, sendAccountMail } from './emails.ts';
import { type LifecycleDeps, liveToken } from './email-verification.service.ts';
import { LinkError, newLinkToken, TOKEN_TTL } from './tokens.ts';
import * as tokens from './user-tokens.repository.ts';

const forgotSchema = z.object({ email: emailField });
const resetSchema = z.object({ password: passwordField });

const LINK_MESSAGES = {
  used: 'This reset link was already used or is not valid. Ask for a new one below.',
  expired: 'This reset link has expired (links last one hour). Ask for a new one below.',
};

/** The address a forgot-password form names, validated (a malformed one is a form error, which reveals nothing). */
export function parseForgotEmail(raw: unknown): string {
  return parseInput(forgotSchema, raw).email;
}

/**
 * Issues a reset link when the address belongs to a user. The caller answers the same way
 * either way, and should not wait for `sent`: waiting would make a known address slower to
 * answer than an unknown one.
 */
export async function requestPasswordReset(deps: LifecycleDeps, email: string): Promise<{ sent: Promise<boolean> }> {
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user) return { sent: Promise.resolve(false) };
  const { token, hash } = newLinkToken();
  const now = deps.clock.now();
  await tokens.insertToken(deps.db, { userId: user.id, purpose: 'reset_password', tokenHash: hash, now, expiresAt: now + TOKEN_TTL.reset_password });
  const sent = sendAccountMail(deps, {
    to: user.email,
    subject: 'Reset your StatusPing password',
    paragraphs: [
      'Someone (hopefully you) asked to reset the password of this StatusPing login.',
      'The link works once and expires in one hour. If this was not you, ignore this email: your password stays as it is.',
    ],
    link: { url: linkUrl(deps, `/reset-password/${token}`), label: 'Choose a new password' },
  });
  return { sent };
}

/**
 * For a user the instance admin created: a link to choose their first password, through the
 * same reset page, valid for 48 hours instead of one.
 */
export async function sendSetPasswordEmail(deps: LifecycleDeps, user: { id: number; email: string }, accountName: string): Promise<boolean> {
  const { token, hash } = newLinkToken();
  const now = deps.clock.now();
  await tokens.insertToken(deps.db, { userId: user.id, purpose: 'reset_password', tokenHash: hash, now, expiresAt: now + TOKEN_TTL.set_password });
  return sendAccountMail(deps, {
    to: user.email,
    subject: 'Your StatusPing account is ready: choose a password',
    paragraphs: [
      `The administrator of this StatusPing instance created a login for you, with the account "${accountName}".`,
      'Choose your password with the link below. It works once and expires in 48 hours; after that, use "Forgot your password?" on the login page.',
    ],
    link: { url: linkUrl(deps, `/reset-password/${token}`), label: 'Choose your password' },
  });
}

/** Checks a reset link before showing its form. */
export async function checkResetToken(deps: Pick<LifecycleDeps, 'db' | 'clock'>, token: string | undefined): Promise<void> {
  await liveToken(deps, 'reset_password', token, LINK_MESSAGES);
}

/**
 * Sets the new password from a reset link, in one transaction:
 * 1. the token is marked used (a second use, even a racing one, fails);
 * 2. the password is replaced (argon2id, sign-up rules);
 * 3. every session of the user is revoked and every other reset link retired;
 * 4. the address counts as verified: the link was read in that mailbox.
 * Returns the user id so the caller can sign them in afresh.
 */
export async function resetPassword(deps: Pick<LifecycleDeps, 'db' | 'clock'>, token: string | undefined, raw: unknown): Promise<number> {
  const t = await liveToken(deps, 'reset_password', token, LINK_MESSAGES);
  const input = parseInput(resetSchema, raw);
  const hash = await hashPassword(input.password);
  const now = deps.clock.now();
  await writeTx(deps.db, async (trx) => {
    if (!(await tokens.useToken(trx, t.id, now))) throw new LinkError(LINK_MESSAGES.used);
    await repo.updatePassword(trx, t.userId, hash, now);
    await repo.revokeUserSessions(trx, t.userId, now);
    await tokens.retireTokens(trx, t.userId, 'reset_password', now);
    await repo.markEmailVerified(trx, t.userId, now);
  });
  return t.userId;
}
