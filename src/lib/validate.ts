import type { z } from 'zod';
import { ValidationError } from './errors.ts';

/** Parses with zod and turns issues into a ValidationError with one message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  const first = Object.values(fields)[0] ?? 'Invalid input';
  throw new ValidationError(Object.keys(fields).length > 1 ? 'Please fix the highlighted fields' : first, fields);
}
