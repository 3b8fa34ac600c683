import { createHash } from 'node:crypto';
import { HOUR } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/ids.ts';

/** How long each emailed link stays valid. */
export const TOKEN_TTL = {
  verify_email: 48 * HOUR,
  reset_password: 1 * HOUR,
  /** A set-password link for a user the instance admin created: they may not read mail within the hour. */
  set_password: 48 * HOUR,
  change_email: 48 * HOUR,
} as const;

/**
 * A link token: 32 random bytes for the URL and their SHA-256 for the database, so a leaked
 * database (or backup) holds no usable link. Guessing one is hopeless, which is what signing
 * would buy; expiry and single use are enforced in the database.
 */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomToken(32);
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A link token that is unknown, used or expired: the page says so and how to get a new one. */
export class LinkError extends AppError {
  constructor(message: string) {
    super('invalid_link', message, 410);
  }
}

/** Path segments that cannot be a token are refused before any lookup. */
export function plausibleToken(token: string | undefined): token is string {
  return !!token && /^[A-Za-z0-9_-]{20,100}$/.test(token);
}
