import { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Parses with zod and turns issues into a ValidationError with one message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    // Forms have flat fields: an error deep inside one (a list's 2nd item) belongs to that field.
    const key = issue.path.length ? String(issue.path[0]) : '_';
    fields[key] ??= issue.message;
  }
  const first = Object.values(fields)[0] ?? 'Invalid input';
  throw new ValidationError(Object.keys(fields).length > 1 ? 'Please fix the highlighted fields' : first, fields);
}

/** An http(s) URL with a host, at most 2048 characters; `emptyMessage` says what to enter. */
export function httpUrl(emptyMessage = 'Enter the URL') {
  return z
    .string()
    .trim()
    .min(1, emptyMessage)
    .max(2048, 'URLs are limited to 2048 characters')
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
      } catch {
        return false;
      }
    }, 'Enter a full http:// or https:// URL');
}

/**
 * Characters a name or title may not contain: C0 and C1 controls and DEL (names go into mail
 * subjects, headers and CSV; PostgreSQL text cannot hold NUL), and the bidirectional controls
 * that make text read otherwise than it is stored ("Trojan Source"): the embeddings and
 * overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C.
 */
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
export const NAME_CHARACTERS_MESSAGE = 'Use letters, digits and punctuation (no control or text-direction characters)';

export function hasUnsafeNameCharacters(v: string): boolean {
  return UNSAFE_IN_NAMES.test(v);
}

/**
 * A one-line name or title (monitors, channels, pages, components, groups, posts, keys,
 * accounts): trimmed and free of the characters above. The one rule for forms and the API,
 * which validate through the same domain schemas; chain `.min()`/`.max()` after it.
 */
export function nameText(): z.ZodString {
  return z.string().trim().refine((v) => !hasUnsafeNameCharacters(v), NAME_CHARACTERS_MESSAGE);
}

export const NUL_MESSAGE = 'Text may not contain NUL characters';

/**
 * The dotted path ("name", "monitor_ids.1") of the first string, key or value, that holds a
 * NUL, or null. PostgreSQL text cannot store NUL, so every form and API body is checked for
 * it once, before any field is validated.
 */
export function nulField(v: unknown, path = ''): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path || '_' : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    const p = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return p;
    const found = nulField(x, p);
    if (found) return found;
  }
  return null;
}
