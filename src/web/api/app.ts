import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { API_RATE } from '../../domain/apikeys/apikeys.ts';
import { authenticate } from '../../domain/apikeys/apikeys.service.ts';
import { MINUTE } from '../../lib/clock.ts';
import { AppError, AuthError, RateLimitError } from '../../lib/errors.ts';
import { clientKey } from '../../lib/client-key.ts';
import type { WebDeps } from '../deps.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';
import { channelRoutes } from './channels.ts';
import { incidentRoutes } from './incidents.ts';
import { maintenanceRoutes } from './maintenance.ts';
import { monitorRoutes } from './monitors.ts';
import { buildOpenApi } from './openapi.ts';
import { pagePostRoutes } from './page-posts.ts';
import { pageRoutes } from './pages.ts';
import { type ApiEnv, type ApiRoute, defineRoute, runRoute } from './registry.ts';

export const API_BASE = '/api/v1';

/** Every operation of the API, in the order the reference lists them. */
export function apiRoutes(document: () => unknown): ApiRoute[] {
  return [
    ...monitorRoutes,
    ...incidentRoutes,
    ...maintenanceRoutes,
    ...pageRoutes,
    ...pagePostRoutes,
    ...channelRoutes,
    defineRoute({
      method: 'get', path: '/openapi.json', operationId: 'getOpenApi', tag: 'Meta', access: 'public', summary: 'This API’s OpenAPI 3.1 document',
      description: 'No key needed.', response: z.record(z.string(), z.unknown()),
      handler: async () => document() as Record<string, unknown>,
    }),
  ];
}

/** The routes with a placeholder document: what the reference page and tests walk. */
export function documentedRoutes(): ApiRoute[] {
  return apiRoutes(() => ({}));
}

/**
 * A validation error's message sums up its fields ("name: Required; interval_seconds: …"):
 * the services word it for forms ("Please fix the highlighted fields"), which a client has not got.
 */
export function apiMessage(err: AppError): string {
  const fields = Object.entries(err.fields);
  if (err.code !== 'validation_failed' || fields.length === 0) return err.message;
  return fields.map(([k, v]) => (k === '_' ? v : `${k}: ${v}`)).join('; ');
}

function sendError(c: Parameters<MiddlewareHandler<ApiEnv>>[0], err: AppError) {
  if (err instanceof RateLimitError) c.header('Retry-After', String(err.retryAfterSeconds));
  if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="StatusPing API"');
  return c.json({ error: { code: err.code, message: apiMessage(err), details: err.fields } }, err.status as 400);
}

/**
 * Resolves the presented key and applies the rate limit: per key (by plan) with a valid key,
 * per client IP otherwise (which also slows down key guessing). Sets the RateLimit-* headers
 * on every answer. Refusing a bad key is left to routes that need one.
 */
function keyAndLimits(deps: WebDeps): MiddlewareHandler<ApiEnv> {
  // Two limiters, so a flood of addresses filling the memory cap cannot refuse a real key.
  const perKey = deps.rateLimits.limiter('api-key', API_RATE.selfHosted, MINUTE);
  const perIp = deps.rateLimits.limiter('api-ip', API_RATE.anonymousPerIp, MINUTE);
  return async (c, next) => {
    c.set('deps', deps);
    c.set('apiKey', null);
    c.set('apiAuthError', null);
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      try {
        const key = m ? await authenticate(deps, m[1]!) : null;
        if (key) c.set('apiKey', key);
        else c.set('apiAuthError', new AuthError(m ? 'This API key is not valid or has been revoked' : 'Send the key as Authorization: Bearer <key>'));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        c.set('apiAuthError', err); // e.g. the account's plan no longer includes the API
      }
    }
    const key = c.get('apiKey');
    const state = key ? await perKey.take(`key:${key.keyId}`, key.perMinute) : await perIp.take(`ip:${clientKey(resolveClientIp(c, deps.config.trustProxy))}`);
    c.header('RateLimit-Limit', String(state.limit));
    c.header('RateLimit-Remaining', String(state.remaining));
    c.header('RateLimit-Reset', String(state.resetSeconds));
    if (!state.allowed) return sendError(c, new RateLimitError(state.resetSeconds));
    c.header('Cache-Control', 'no-store');
    await next();
  };
}

/**
 * The REST API under /api/v1. Mounted before the session and CSRF middleware: it reads no
 * cookies, only `Authorization: Bearer <key>`, so cross-site requests carry no authority.
 */
export function createApiApp(deps: WebDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  let doc: unknown;
  const routes = apiRoutes(() => (doc ??= buildOpenApi(routes, `${deps.config.baseUrl}${API_BASE}`)));
  // Body sizes are limited before the API is reached (web/middleware/body-limit.ts).
  api.use('*', keyAndLimits(deps));
  const validateResponses = deps.config.env !== 'production';
  for (const r of routes) api.on(r.method.toUpperCase(), r.path, runRoute(r, validateResponses));
  api.all('*', (c) => sendError(c, new AppError('not_found', `No API operation ${c.req.method} ${c.req.path}; see ${API_BASE}/openapi.json`, 404)));
  api.onError((err, c) => {
    if (err instanceof AppError) return sendError(c, err);
    deps.logger.error({ err, path: c.req.path }, 'unhandled API error');
    return c.json({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.', details: {} } }, 500);
  });
  return api;
}
