import { createHmac, timingSafeEqual } from 'node:crypto';
import { DAY } from '../../lib/clock.ts';

/** How long a confirmation link works; unconfirmed subscribers are pruned after the same time. */
export const CONFIRM_TTL_MS = 7 * DAY;

const sign = (secret: string, token: string, purpose: string, expires: number) =>
  createHmac('sha256', secret).update(`${purpose}:${token}:${expires}`).digest('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A confirmation link: the subscriber's id in clear, an expiry, and an HMAC over the
 * subscriber's random token, the purpose and the expiry. The token itself stays out of
 * the link, so the confirmation mail cannot be turned into anything else.
 */
export function confirmUrl(baseUrl: string, secret: string, slug: string, sub: { id: number; token: string }, expires: number): string {
  const q = new URLSearchParams({ s: String(sub.id), e: String(expires), sig: sign(secret, sub.token, 'confirm', expires) });
  return `${baseUrl}/s/${encodeURIComponent(slug)}/subscribe/confirm?${q}`;
}

export function confirmSignatureValid(secret: string, token: string, expires: number, sig: string): boolean {
  return safeEqual(sign(secret, token, 'confirm', expires), sig);
}

/**
 * An unsubscribe link: the subscriber's id and an HMAC over it keyed by the subscriber's
 * random 192-bit token, which never leaves the server. The worker that writes the notices
 * can sign it without the web process's secret. It never expires, as RFC 8058 one-click
 * links must keep working; removing the subscriber ends it.
 */
export function unsubscribeUrl(baseUrl: string, slug: string, sub: { id: number; token: string }): string {
  const q = new URLSearchParams({ s: String(sub.id), sig: sign(sub.token, String(sub.id), 'unsubscribe', 0) });
  return `${baseUrl}/s/${encodeURIComponent(slug)}/unsubscribe?${q}`;
}

export function unsubscribeSignatureValid(sub: { id: number; token: string }, sig: string): boolean {
  return safeEqual(sign(sub.token, String(sub.id), 'unsubscribe', 0), sig);
}
