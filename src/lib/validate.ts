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
