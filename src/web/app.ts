import { type Context, Hono } from 'hono';
import { AppError, RateLimitError } from '../lib/errors.ts';
import type { AppEnv, WebDeps } from './deps.ts';
import { clientIp } from './middleware/client-ip.ts';
import { csrf } from './middleware/csrf.ts';
import { customDomains } from './middleware/custom-domain.ts';
import { formBody, limitBody } from './middleware/form.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { loadSession, requireAuth } from './middleware/session.ts';
import { createEta, html, isHtmx, useEta } from './render.ts';
import { alertRoutes } from './routes/alerts.ts';
import { assetRoutes } from './routes/assets.ts';
import { maintenanceRoutes } from './routes/maintenance.ts';
import { pageSettingsRoutes } from './routes/page-settings.ts';
import { publicAuthRoutes, settingsRoutes } from './routes/auth.ts';
import { monitorRoutes } from './routes/monitors.ts';
import { healthRoutes, publicRoutes } from './routes/public.ts';
import { pushRoutes } from './routes/push.ts';
import { statusPageRoutes } from './routes/status-pages.ts';

function wantsJson(c: Context): boolean {
  const p = c.req.path;
  return p.endsWith('/api') || p.startsWith('/api/') || p.startsWith('/push/') || (c.req.header('accept') ?? '').startsWith('application/json');
}

/** Maps errors to a JSON error, an htmx fragment, or a page; 500s never leak details. */
function respondError(c: Context<AppEnv>, status: number, code: string, message: string) {
  if (wantsJson(c)) return c.json({ error: { code, message } }, status as 400);
  if (isHtmx(c)) return c.html(`<div class="alert alert-error" role="alert">${escapeHtml(message)}</div>`, status as 400);
  return html(c, 'pages/errors/error', { status, message }, status);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Builds the web app. Routes registered before `requireAuth` are public; everything after
 * it needs a session, so a new route is private unless placed deliberately.
 */
export function createApp(deps: WebDeps): Hono<AppEnv> {
  useEta(createEta(deps.config.env === 'production'));
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', securityHeaders);
  app.use('*', customDomains(deps, (req, env) => app.fetch(req, env as never)));
  app.route('/', assetRoutes(deps.config.env === 'production'));
  app.route('/', healthRoutes);
  app.route('/', statusPageRoutes(deps));
  app.route('/', pushRoutes(deps));
  app.use('*', clientIp, limitBody, formBody, loadSession, csrf());

  app.route('/', publicRoutes);
  app.route('/', publicAuthRoutes);

  app.use('*', requireAuth);
  app.route('/', monitorRoutes);
  app.route('/', settingsRoutes);
  app.route('/', alertRoutes);
  app.route('/', maintenanceRoutes);
  app.route('/', pageSettingsRoutes);

  app.notFound((c) => respondError(c, 404, 'not_found', 'Page not found'));
  app.onError((err, c) => {
    if (err instanceof RateLimitError) c.header('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof AppError) return respondError(c, err.status, err.code, err.message);
    deps.logger.error({ err, path: c.req.path }, 'unhandled error');
    return respondError(c, 500, 'internal', 'Something went wrong on our side. Please try again.');
  });
  return app;
}
