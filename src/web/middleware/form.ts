import type { Context, MiddlewareHandler } from 'hono';
import { ValidationError } from '../../lib/errors.ts';
import { NUL_MESSAGE, nulField } from '../../lib/validate.ts';
import type { AppEnv, FormData } from '../deps.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the body of state-changing requests once, whatever the case of the Content-Type
 * (`Application/X-WWW-Form-URLENCODED` is still a form), so CSRF and the routes see the
 * same fields. JSON objects are flattened to strings like form fields. The size was
 * checked before (middleware/body-limit.ts).
 */
export async function readBody(c: Context): Promise<FormData> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const out: FormData = {};
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await c.req.text())) out[k] = v;
  } else if (type.startsWith('multipart/form-data')) {
    try {
      // Through Hono's body cache, so a route can read the file parts of the same body again.
      const fd = await c.req.formData();
      for (const [k, v] of fd) if (typeof v === 'string') out[k] = v;
    } catch {
      /* malformed multipart: no fields */
    }
  } else if (type.startsWith('application/json')) {
    try {
      const obj = await c.req.json();
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        for (const [k, v] of Object.entries(obj)) if (v !== null && typeof v !== 'object') out[k] = String(v);
      }
    } catch {
      /* malformed JSON: no fields, so validation reports what is missing */
    }
  }
  return out;
}

export const formBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const form = UNSAFE.has(c.req.method) ? await readBody(c) : {};
  // PostgreSQL text cannot hold NUL; refuse it for every field rather than fail later (422, as the API).
  const nul = nulField(form);
  if (nul) throw new ValidationError(`${nul}: ${NUL_MESSAGE}`, { [nul]: NUL_MESSAGE });
  c.set('form', form);
  await next();
};
