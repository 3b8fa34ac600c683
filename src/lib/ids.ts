import { randomBytes } from 'node:crypto';

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Row ids are positive 32-bit integers (PostgreSQL serial); anything else cannot exist. */
export function isDbId(id: number): boolean {
  return Number.isInteger(id) && id > 0 && id <= 2_147_483_647;
}

/** A path segment as a row id, or NaN (which no lookup matches). */
export function parseDbId(raw: string | undefined): number {
  return raw && /^\d{1,10}$/.test(raw) && isDbId(Number(raw)) ? Number(raw) : NaN;
}
