import { createHmac, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/**
 * Session cookies are HS256 JWTs carrying only the server-side session id; the session row
 * decides whether the token is still valid (logout, password change, "log out everywhere").
 */
export class SessionTokens {
  private readonly key: Uint8Array;
  constructor(private readonly secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(sessionId: string, userId: number, expiresAtMs: number): Promise<string> {
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAtMs / 1000))
      .sign(this.key);
  }

  /** Returns the session id, or null for anything forged, expired, or not HS256 (alg:none included). */
  async verify(token: string): Promise<{ sessionId: string; userId: number } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (typeof payload.sid !== 'string' || !payload.sub) return null;
      return { sessionId: payload.sid, userId: Number(payload.sub) };
    } catch {
      return null;
    }
  }

  /** A secret for another purpose, derived so that it never equals the signing key. */
  secretFor(purpose: string): string {
    return createHmac('sha256', this.secret).update(`purpose:${purpose}`).digest('base64url');
  }

  /** CSRF token bound to a per-browser random cookie value. */
  csrfFor(cookieValue: string): string {
    return createHmac('sha256', this.secret).update(`csrf:${cookieValue}`).digest('base64url');
  }

  csrfMatches(cookieValue: string, token: string): boolean {
    const expected = Buffer.from(this.csrfFor(cookieValue));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
