import { z } from 'zod';
import { parseConnectionUrl, type UrlSpec } from './connection-url.ts';

/*
 * Settings builders for the network check types. Each reads form input (strings, '' for an
 * empty field) and API JSON alike, and words its errors for the person filling in the form.
 */

/** An empty form field or a JSON null counts as absent, so the default applies. */
export const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);

/** The connection URL setting: required, trimmed, checked against the spec. */
export function urlSetting(spec: UrlSpec) {
  return z
    .string({ message: `Enter the ${spec.protocol} URL, like ${spec.example}` })
    .trim()
    .min(1, `Enter the ${spec.protocol} URL, like ${spec.example}`)
    .max(2000, 'Keep the URL under 2000 characters')
    .superRefine((v, ctx) => {
      if (v === '') return; // said by min(1)
      const u = parseConnectionUrl(v, spec);
      if (typeof u === 'string') ctx.addIssue({ code: 'custom', message: u });
    });
}

/** Optional free text ('' when absent). */
export function textSetting(max: number, what: string) {
  return z.preprocess(
    blankToUndefined,
    z
      .string({ message: `${what} must be text` })
      .max(max, `Keep ${what.toLowerCase()} under ${max} characters`)
      .optional()
      .transform((v) => v ?? ''),
  );
}

/** Optional trimmed text ('' when absent). */
export function trimmedSetting(max: number, what: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : blankToUndefined(v)),
    z
      .string({ message: `${what} must be text` })
      .max(max, `Keep ${what.toLowerCase()} under ${max} characters`)
      .optional()
      .transform((v) => v ?? ''),
  );
}

/** An optional whole number ≥ min: null when left empty (an empty form field is not 0). */
export function countSetting(what: string, min = 0, max = 1_000_000_000) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v === undefined ? null : typeof v === 'string' ? v.trim() : v),
    z.coerce
      .number({ message: `${what} must be a number` })
      .int(`${what} must be a whole number`)
      .min(min, `${what} must be at least ${min}`)
      .max(max, `${what} must be at most ${max}`)
      .nullable(),
  );
}

/** One of a fixed list; empty picks the default. */
export function choiceSetting<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], what: string) {
  return z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? fallback : typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(values, { message: `${what}: choose ${values.slice(0, -1).join(', ')} or ${values.at(-1)}` }),
  );
}
