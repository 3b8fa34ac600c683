import { Hono } from 'hono';
import { type PingKind, receivePing } from '../../domain/checks/heartbeat.service.ts';
import { MINUTE } from '../../lib/clock.ts';
import { RateLimitError } from '../../lib/errors.ts';
import { RateLimiter } from '../../lib/rate-limit.ts';
import type { AppEnv, WebDeps } from '../deps.ts';

/**
 * Heartbeat pings from cron jobs: GET or POST /push/<token>, /push/<token>/fail and
 * /push/<token>/start. Public (the token is the secret), no cookies, no CSRF, 60 a minute
 * per token. A POST body (up to 1 KB) becomes the failure's message.
 */
export function pushRoutes(deps: WebDeps) {
  const limiter = new RateLimiter(deps.clock, 60, MINUTE);
  const app = new Hono<AppEnv>();
  for (const [suffix, kind] of [['', 'ok'], ['/fail', 'fail'], ['/start', 'start']] as const) {
    app.on(['GET', 'POST', 'HEAD'], `/push/:token${suffix}`, async (c) => {
      const token = c.req.param('token');
      const wait = limiter.retryAfter(token);
      if (wait > 0) throw new RateLimitError(wait);
      limiter.hit(token);
      const body = c.req.method === 'POST' ? (await c.req.text()).slice(0, 1024) : undefined;
      const r = await receivePing(deps.db, deps.alerts, token, kind as PingKind, deps.clock.now(), body);
      return c.json({ ok: true, recorded: r.recorded });
    });
  }
  return app;
}
