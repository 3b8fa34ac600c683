import { z } from 'zod';

// Schemas shared by several API areas, and the conversions between API and domain values.

export const MAX_DB_ID = 2_147_483_647;

/** A row id in a path: a positive 32-bit integer. */
export const idSchema = z.coerce.number().int().min(1).max(MAX_DB_ID);
export const idParams = z.object({ id: idSchema.describe('The resource id') });

/** An ISO 8601 time or epoch milliseconds; null when unreadable. */
export function parseTime(v: string | number): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  const s = v.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

const TIME_HINT = 'Use an ISO 8601 time (2026-11-21T10:00:00Z) or epoch milliseconds';
export const timeQuery = z.string().refine((v) => parseTime(v) !== null, TIME_HINT);
export const timeInput = z.union([z.string(), z.number().int()]).refine((v) => parseTime(v) !== null, TIME_HINT);

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
export const isoTime = z.string().describe('ISO 8601 time (UTC)');

/** A keyset cursor: pass `next_cursor` of one page as `cursor` for the next. */
export const cursorQuery = z.string().regex(/^\d{1,15}$/, 'Pass the next_cursor of the previous page').optional().describe('next_cursor of the previous page');
export const limitQuery = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt).describe(`Items per page (1–${max}, default ${dflt})`);

export function cursorPage<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page') });
}

export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. not_found, validation_failed, insufficient_scope, rate_limited'),
    message: z.string().describe('What went wrong, in a sentence; for validation errors, each field and its problem ("name: …; interval_seconds: …")'),
    details: z.record(z.string(), z.string()).describe('For validation errors: each invalid field and its message; otherwise empty'),
  }),
});
