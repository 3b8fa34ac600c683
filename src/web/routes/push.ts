import { Hono } from 'hono';
import { findHeartbeat, type PingKind, receivePing } from '../../domain/checks/heartbeat.service.ts';
import { MINUTE } from '../../lib/clock.ts';
import { clientKey } from '../../lib/client-key.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { spend } from '../../lib/rate-limit.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';
import type { AppEnv, WebDeps } from '../deps.ts';

/**
 * Heartbeat pings from cron jobs: GET or POST /push/<token>, /push/<token>/fail and
 * /push/<token>/start. Public (the token is the secret), no cookies, no CSRF, 60 a minute
 * per token. A POST body (up to 1 KB) becomes the failure's message.
 *
 * The token is looked up before anything is counted: a real token spends its own budget, and
 * an unknown one (404) spends the client's, 30 a minute per IP (/64), so random tokens neither
 * fill the per-token limiter nor eat into a real token's pings. A real token's pings are never
 * limited by address, so a noisy neighbour behind the same NAT cannot make a job look down.
 */
export function pushRoutes(deps: WebDeps) {
  // Keys are real tokens only (bounded by the monitors table), so a bigger cap is safe here,
  // and refusing a real job's ping would raise a false alert.
  const perToken = deps.rateLimits.limiter('push-token', 60, MINUTE, { maxKeys: 500_000 });
  const unknownPerIp = deps.rateLimits.limiter('push-unknown-ip', 30, MINUTE);
  const app = new Hono<AppEnv>();
  for (const [suffix, kind] of [['', 'ok'], ['/fail', 'fail'], ['/start', 'start']] as const) {
    app.on(['GET', 'POST', 'HEAD'], `/push/:token${suffix}`, async (c) => {
      const token = c.req.param('token');
      const heartbeat = await findHeartbeat(deps.db, token);
      if (!heartbeat) {
        await spend([unknownPerIp, clientKey(resolveClientIp(c, deps.config.trustProxy))]);
        throw new NotFoundError('Heartbeat');
      }
      await spend([perToken, token]);
      const body = c.req.method === 'POST' ? (await c.req.text()).slice(0, 1024) : undefined;
      const r = await receivePing(deps.db, { alerts: deps.alerts, events: deps.events }, heartbeat, kind as PingKind, deps.clock.now(), body);
      return c.json({ ok: true, recorded: r.recorded });
    });
  }
  return app;
}
