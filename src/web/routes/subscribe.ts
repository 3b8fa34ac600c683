import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { HOUR } from '../../lib/clock.ts';
import { AppError, ValidationError } from '../../lib/errors.ts';
import { clientKey } from '../../lib/client-key.ts';
import {
  checkConfirmation,
  checkUnsubscribe,
  componentChoices,
  confirmSubscription,
  isFull,
  type PublicPage,
  publicPage,
  subscribe,
  unsubscribe,
} from '../../domain/subscribers/subscribers.service.ts';
import { resolveClientIp } from '../middleware/client-ip.ts';
import { readBody } from '../middleware/form.ts';
import { isCrossSite } from '../middleware/origin.ts';
import type { AppEnv, WebDeps } from '../deps.ts';
import { renderView } from '../render.ts';
import { pageGuard } from './status-pages.ts';
import type { ConfirmResult } from '../../domain/subscribers/subscribers.ts';

const FORM_TTL_MS = 2 * HOUR;

/**
 * Subscribing to a status page, mounted with the public status routes (no session, no
 * cookies of ours). The form is protected by the Origin check and a signed, time-limited
 * form token; confirmation and unsubscribe links are authorised by their signature or token.
 */
export function subscribeRoutes(deps: WebDeps) {
  const guard = pageGuard(deps);
  const formSecret = deps.tokens.secretFor('subscribe-form');
  const confirmSecret = deps.tokens.secretFor('subscriber-confirm');
  const perIp = deps.rateLimits.limiter('subscribe-ip', 10, HOUR);
  const perAddress = deps.rateLimits.limiter('subscribe-address', 3, HOUR);
  const sdeps = { db: deps.db, clock: deps.clock, policy: deps.policy, guard: deps.delivery.guard };

  const formToken = (slug: string, at: number) => `${at}.${createHmac('sha256', formSecret).update(`subscribe:${slug}:${at}`).digest('base64url')}`;
  function formTokenValid(slug: string, token: string): boolean {
    const at = Number(token.split('.')[0]);
    const now = deps.clock.now();
    if (!Number.isSafeInteger(at) || at > now || now - at > FORM_TTL_MS) return false;
    const want = Buffer.from(formToken(slug, at));
    const got = Buffer.from(token);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  function view(c: Context<AppEnv>, template: string, data: object, status = 200) {
    c.header('Cache-Control', 'private, no-store');
    return c.html(renderView(c, `pages/statuspages/${template}`, { csrf: '', user: null, account: null, ...data }), status as 200);
  }

  async function form(c: Context<AppEnv>, page: PublicPage, extra: { values?: Record<string, unknown>; errors?: Record<string, string>; error?: string } = {}, status = 200) {
    return view(c, 'subscribe', {
      page,
      components: await componentChoices(deps.db, page.id),
      full: await isFull(sdeps, page),
      formToken: formToken(page.slug, deps.clock.now()),
      values: { kind: 'email', address: '', components: [], ...extra.values },
      errors: extra.errors ?? {},
      error: extra.error,
    }, status);
  }

  const message = (c: Context<AppEnv>, page: PublicPage, title: string, text: string, status = 200) => view(c, 'subscribe-message', { page, title, text }, status);

  function confirmAnswer(c: Context<AppEnv>, page: PublicPage, r: ConfirmResult) {
    if (r === 'confirmed') return message(c, page, 'Subscription confirmed', `You will now receive updates from ${page.title}. Every message has a link to unsubscribe.`);
    if (r === 'already') return message(c, page, 'Already confirmed', 'This subscription was confirmed before; nothing changed.');
    if (r === 'expired') return message(c, page, 'This link has expired', 'Confirmation links work for 7 days. Please subscribe again to get a new one.', 410);
    return message(c, page, 'This link is not valid', 'The confirmation link is incomplete or was changed. Please use the link exactly as it arrived, or subscribe again.', 400);
  }

  return new Hono<AppEnv>()
    .get('/s/:slug/subscribe', async (c) => {
      const blocked = await guard(c, c.req.param('slug'), 'html');
      if (blocked) return blocked;
      return form(c, await publicPage(deps.db, c.req.param('slug')));
    })
    .post('/s/:slug/subscribe', async (c) => {
      if (isCrossSite(c, deps.config.baseUrl)) return c.text('Cross-site request refused', 403);
      const blocked = await guard(c, c.req.param('slug'), 'html');
      if (blocked) return blocked;
      const page = await publicPage(deps.db, c.req.param('slug'));
      // Several checkboxes share one name, so the raw form is read here rather than flattened.
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      const body = type.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(await c.req.text()) : new URLSearchParams(await readBody(c));
      const values = { kind: body.get('kind') === 'webhook' ? 'webhook' : 'email', address: (body.get('address') ?? '').trim(), components: body.getAll('components').map(Number) };
      if (!formTokenValid(page.slug, body.get('form_token') ?? '')) {
        return form(c, page, { values, error: 'This form has expired. Please submit it again.' }, 403);
      }
      const ipKey = `${page.slug}:${clientKey(resolveClientIp(c, deps.config.trustProxy))}`;
      const addressKey = `${page.slug}:${values.kind}:${values.address.toLowerCase()}`;
      // Every try counts against the IP (atomically, so parallel posts cannot slip past); the
      // address only once a subscription was asked for it (a refused address costs the IP only).
      let wait = await perAddress.retryAfter(addressKey);
      if (wait === 0) {
        const ip = await perIp.take(ipKey);
        if (!ip.allowed) wait = ip.resetSeconds;
      }
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        return form(c, page, { values, error: `Too many sign-ups from here. Please try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.` }, 429);
      }
      try {
        await subscribe(sdeps, page, { kind: values.kind as 'email', address: values.address, componentIds: values.components }, { baseUrl: deps.config.baseUrl, confirmSecret });
      } catch (err) {
        if (err instanceof ValidationError) return form(c, page, { values, errors: { address: err.fields.address ?? err.message } }, 422);
        if (err instanceof AppError && err.code === 'subscribers_full') return form(c, page, { values, error: err.message }, 409);
        throw err;
      }
      await perAddress.hit(addressKey);
      // The same answer whether the address was new, pending or already confirmed.
      return message(
        c,
        page,
        values.kind === 'email' ? (deps.delivery.mailer.via === 'log' ? 'One more step' : 'Check your inbox') : 'Check your endpoint',
        values.kind === 'email'
          ? deps.delivery.mailer.via === 'log'
            ? `If ${values.address} is not subscribed yet, a link to confirm was made, but this instance has no mail provider: it was written to the server log instead of being emailed, where the administrator of this instance can find it. Updates start once it is opened.`
            : `If ${values.address} is not subscribed yet, we have sent it a link to confirm. Updates start once you click it.`
          : `If this endpoint is not subscribed yet, we are POSTing it a signed "subscription.confirm" message with a confirm_url and its signing secret. Notices start once the confirm_url receives a POST (or is opened and confirmed).`,
      );
    })
    // A GET only asks (mail scanners open links, and must not subscribe anyone); the POST confirms.
    .get('/s/:slug/subscribe/confirm', async (c) => {
      const page = await publicPage(deps.db, c.req.param('slug'));
      const q = c.req.query();
      const r = await checkConfirmation(sdeps, page, q, confirmSecret);
      if (r !== 'valid') return confirmAnswer(c, page, r);
      return view(c, 'subscribe-confirm', { page, action: `/s/${page.slug}/subscribe/confirm?${new URLSearchParams({ s: q.s ?? '', e: q.e ?? '', sig: q.sig ?? '' })}` });
    })
    .post('/s/:slug/subscribe/confirm', async (c) => {
      const page = await publicPage(deps.db, c.req.param('slug'));
      return confirmAnswer(c, page, await confirmSubscription(sdeps, page, c.req.query(), confirmSecret));
    })
    // A GET only asks: mail scanners fetch links, and must not unsubscribe anyone.
    .get('/s/:slug/unsubscribe', async (c) => {
      const page = await publicPage(deps.db, c.req.param('slug'));
      const q = c.req.query();
      const r = await checkUnsubscribe(sdeps, page, q);
      if (r.state === 'gone') return message(c, page, 'Already unsubscribed', 'This subscription has already been removed.');
      if (r.state === 'invalid') return message(c, page, 'This link is not valid', 'The unsubscribe link is incomplete or was changed. Please use the link exactly as it arrived.', 400);
      return view(c, 'unsubscribe', { page, kind: r.kind, address: r.address, action: `/s/${page.slug}/unsubscribe?${new URLSearchParams({ s: q.s ?? '', sig: q.sig ?? '' })}` });
    })
    // Also RFC 8058 one-click (List-Unsubscribe=One-Click) from mail clients, which send no
    // Origin of ours: the token in the link is the authorisation.
    .post('/s/:slug/unsubscribe', async (c) => {
      const page = await publicPage(deps.db, c.req.param('slug'));
      const r = await unsubscribe(sdeps, page, c.req.query());
      if (r === 'removed') return message(c, page, 'Unsubscribed', `You will not receive further updates from ${page.title}.`);
      if (r === 'gone') return message(c, page, 'Already unsubscribed', 'This subscription has already been removed.');
      return message(c, page, 'This link is not valid', 'The unsubscribe link is incomplete or was changed. Please use the link exactly as it arrived.', 400);
    });
}
