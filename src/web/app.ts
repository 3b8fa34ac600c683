import { type Context, Hono } from 'hono';
import { pageGate } from '../domain/statuspages/page-access.ts';
import { AppError, RateLimitError } from '../lib/errors.ts';
import type { AppEnv, WebDeps } from './deps.ts';
import { clientIp } from './middleware/client-ip.ts';
import { csrf } from './middleware/csrf.ts';
import { customDomains } from './middleware/custom-domain.ts';
import { limitBodies } from './middleware/body-limit.ts';
import { formBody } from './middleware/form.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { loadSession, requireAuth } from './middleware/session.ts';
import { createEta, html, isHtmx, useEta } from './render.ts';
import { API_BASE, createApiApp } from './api/app.ts';
import { apiDocsRoutes } from './api/docs.ts';
import { lifecyclePublicRoutes, lifecycleSettingsRoutes } from './routes/account-lifecycle.ts';
import { adminRoutes } from './routes/admin.ts';
import { alertRoutes } from './routes/alerts.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { loadMemberships } from './middleware/accounts.ts';
import { auditRoutes } from './routes/audit.ts';
import { invitationRoutes, publicInvitationRoutes } from './routes/invitations.ts';
import { memberRoutes } from './routes/members.ts';
import { billingClient, billingRoutes, stripeWebhookRoutes } from './routes/billing.ts';
import { assetRoutes } from './routes/assets.ts';
import { maintenanceRoutes } from './routes/maintenance.ts';
import { pageComponentRoutes } from './routes/page-components.ts';
import { pageRoutes } from './routes/pages.ts';
import { pagePostRoutes } from './routes/page-posts.ts';
import { publicAuthRoutes, settingsRoutes } from './routes/auth.ts';
import { monitorRoutes } from './routes/monitors.ts';
import { healthRoutes, publicRoutes } from './routes/public.ts';
import { pushRoutes } from './routes/push.ts';
import { statusPageRoutes } from './routes/status-pages.ts';
import { subscribeRoutes } from './routes/subscribe.ts';
import { subscriberRoutes } from './routes/subscribers.ts';

function wantsJson(c: Context): boolean {
  const p = c.req.path;
  return p.endsWith('/api') || p.startsWith('/api/') || p.startsWith('/push/') || p.startsWith('/webhooks/') || (c.req.header('accept') ?? '').startsWith('application/json');
}

/** Maps errors to a JSON error, an htmx fragment, or a page; 500s never leak details. */
async function respondError(c: Context<AppEnv>, status: number, code: string, message: string) {
  // API errors always carry `details`, also the few answered before the API app runs (413).
  if (wantsJson(c)) return c.json({ error: { code, message, ...(c.req.path.startsWith(`${API_BASE}/`) ? { details: {} } : {}) } }, status as 400);
  if (isHtmx(c)) return c.html(`<div class="alert alert-error" role="alert">${escapeHtml(message)}</div>`, status as 400);
  return html(c, 'pages/errors/error', { status, message, back: await backLink(c) }, status);
}

/**
 * Where an error page points: a visitor of a status page (an unknown incident under
 * /s/<slug>/…) back to that page when it exists, a signed-in member to the dashboard,
 * anyone else to the home page.
 */
async function backLink(c: Context<AppEnv>): Promise<{ href: string; label: string }> {
  const slug = /^\/s\/([a-z0-9]+(?:-[a-z0-9]+)*)\/./.exec(c.req.path)?.[1];
  if (slug) {
    try {
      if (await pageGate(c.get('deps').db, slug)) return { href: `/s/${slug}`, label: '← Back to the status page' };
    } catch {
      // the error page itself must not fail: fall through to the generic link
    }
  }
  if (c.get('auth')) return { href: '/dashboard', label: 'Go to the dashboard' };
  return { href: '/', label: 'Go to StatusPing' };
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
  app.use('*', securityHeaders(deps.config.baseUrl));
  // Before anything reads a body (routes, CSRF, form parsing), for every route public or not.
  app.use('*', limitBodies);
  app.use('*', customDomains(deps, (req, env) => app.fetch(req, env as never)));
  app.route('/', assetRoutes(deps.config.env === 'production'));
  app.route('/', healthRoutes);
  app.route('/', statusPageRoutes(deps));
  app.route('/', subscribeRoutes(deps));
  app.route('/', pushRoutes(deps));
  // The API authenticates with keys, never cookies: mounted before the session and CSRF middleware.
  app.route(API_BASE, createApiApp(deps) as unknown as Hono<AppEnv>);
  app.route('/', apiDocsRoutes);
  const stripe = billingClient(deps);
  app.route('/', stripeWebhookRoutes(deps, stripe));
  app.use('*', clientIp, formBody, loadSession, csrf());

  app.route('/', publicRoutes);
  app.route('/', publicAuthRoutes);
  app.route('/', publicInvitationRoutes);
  app.route('/', lifecyclePublicRoutes(deps));

  app.use('*', requireAuth, loadMemberships);
  app.route('/', monitorRoutes);
  app.route('/', settingsRoutes);
  app.route('/', alertRoutes);
  app.route('/', maintenanceRoutes);
  app.route('/', pageRoutes);
  app.route('/', pageComponentRoutes);
  app.route('/', subscriberRoutes);
  app.route('/', pagePostRoutes);
  app.route('/', apiKeyRoutes);
  app.route('/', memberRoutes);
  app.route('/', invitationRoutes);
  app.route('/', auditRoutes);
  app.route('/', billingRoutes(deps, stripe));
  app.route('/', lifecycleSettingsRoutes(deps));
  app.route('/', adminRoutes(deps));

  app.notFound((c) => respondError(c, 404, 'not_found', 'Page not found'));
  app.onError((err, c) => {
    if (err instanceof RateLimitError) for (const [k, v] of Object.entries(err.headers())) c.header(k, v);
    if (err instanceof AppError) return respondError(c, err.status, err.code, err.message);
    deps.logger.error({ err, path: c.req.path }, 'unhandled error');
    return respondError(c, 500, 'internal', 'Something went wrong on our side. Please try again.');
  });
  return app;
}
