import type { Context } from 'hono';
import { z } from 'zod';
import type { ApiPrincipal } from '../../domain/apikeys/apikeys.ts';
import type { AuditBy } from '../../domain/audit/audit.service.ts';
import { AppError, AuthError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { NUL_MESSAGE, nulField } from '../../lib/validate.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';

/** Context variables the API middleware sets. */
export interface ApiEnv {
  Variables: AppEnv['Variables'] & {
    apiKey: ApiPrincipal | null;
    /** Why the presented key was refused (unknown, revoked, plan), raised only on routes that need a key. */
    apiAuthError: AppError | null;
  };
}

export type Access = 'public' | 'read' | 'write';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerInput<P, Q, B> {
  c: Context<ApiEnv>;
  deps: WebDeps;
  /** The key's principal; null only on public routes. */
  key: ApiPrincipal;
  /** The key as the audit log's actor, with the client's address: pass it to verbs that record changes. */
  by: AuditBy;
  params: P;
  query: Q;
  body: B;
}

/**
 * One API operation: how it is called, what it accepts and answers (zod schemas, used both
 * to validate and to write the OpenAPI document), and its handler. Routes are mounted only
 * from a list of these, so a route cannot exist without being documented.
 */
export interface ApiRoute<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  method: Method;
  /** Hono path under /api/v1, e.g. /monitors/:id */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Null for 204 No Content. */
  response: R | null;
  status?: 200 | 201 | 204;
  /** An example request body for the reference's curl line. */
  example?: unknown;
  /** The operation can answer 409 (e.g. publishing twice, deleting a published post). */
  conflict?: boolean;
  handler: (input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<z.input<R> | null>;
}

export function defineRoute<P extends z.ZodType = z.ZodObject<{}>, Q extends z.ZodType = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined, R extends z.ZodType = z.ZodNull>(
  r: ApiRoute<P, Q, B, R>,
): ApiRoute {
  return r as unknown as ApiRoute;
}

/** Field → message for each zod issue, with dotted paths for nested fields ("monitor_ids.1"). */
function issuesToFields(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export function validationError(error: z.ZodError, where: string): ValidationError {
  const fields = issuesToFields(error);
  const n = Object.keys(fields).length;
  return new ValidationError(n === 1 ? `${where}: ${Object.values(fields)[0]}` : `${where}: ${n} fields are invalid (see details)`, fields);
}

export class BadJsonError extends AppError {
  constructor(message: string) {
    super('bad_json', message, 400);
  }
}

async function readJson(c: Context<ApiEnv>): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (!type.startsWith('application/json')) throw new BadJsonError('Send the body as JSON with Content-Type: application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadJsonError('The request body is not valid JSON');
  }
}

/** Runs one route: key and scope, then path, query and body validation, then the handler. */
export function runRoute(route: ApiRoute, validateResponses: boolean) {
  return async (c: Context<ApiEnv>) => {
    const deps = c.get('deps');
    const key = c.get('apiKey');
    if (route.access !== 'public') {
      const refused = c.get('apiAuthError');
      if (refused) throw refused;
      if (!key) throw new AuthError('Send an API key: Authorization: Bearer <key> (create one under Settings → API keys)');
      if (route.access === 'write' && key.scope !== 'write') {
        throw new ForbiddenError('This API key can only read; create a key with the write scope to make changes', 'insufficient_scope');
      }
    }
    // A malformed id cannot name anything: "not found", like an unknown one.
    const params = route.params ? route.params.safeParse(c.req.param()) : { success: true as const, data: {} };
    if (!params.success) throw new NotFoundError('Resource');
    const query = route.query ? route.query.safeParse(c.req.query()) : { success: true as const, data: {} };
    if (!query.success) throw validationError(query.error, 'Invalid query parameters');
    let body: unknown;
    if (route.body) {
      const raw = await readJson(c);
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BadJsonError('The request body must be a JSON object');
      // As the forms: PostgreSQL text cannot hold NUL, whichever field it is in.
      const nul = nulField(raw);
      if (nul) throw new ValidationError(`Invalid request body: ${nul}: ${NUL_MESSAGE}`, { [nul]: NUL_MESSAGE });
      const parsed = route.body.safeParse(raw);
      if (!parsed.success) throw validationError(parsed.error, 'Invalid request body');
      body = parsed.data;
    }
    const by: AuditBy = { actor: key ? { apiKeyId: key.keyId, keyName: key.keyName } : { system: 'api' }, ip: resolveClientIp(c, deps.config.trustProxy) };
    const out = await route.handler({ c, deps, key: key!, by, params: params.data, query: query.data, body });
    if (route.status === 204 || route.response === null) return c.body(null, 204);
    // Outside production every answer is checked against its documented schema.
    if (validateResponses) {
      const check = route.response.safeParse(out);
      if (!check.success) throw new Error(`${route.operationId}: response does not match its schema: ${JSON.stringify(check.error.issues.slice(0, 3))}`);
    }
    return c.json(out as object, route.status ?? 200);
  };
}

/** "/monitors/:id" → "/monitors/{id}" */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z_]+)/g, '{$1}');
}
