import { type Context, Hono } from 'hono';
import { parseDbId } from '../../lib/ids.ts';
import { type Channel, CHANNEL_KINDS, type ChannelKind, KIND_LABELS, maskedSecret, redactedTarget, SECRET_FIELDS, URL_KINDS, visibleConfig } from '../../domain/alerts/alerts.ts';
import { can } from '../../domain/accounts/roles.ts';
import {
  createChannel,
  deleteChannel,
  deliveryLog,
  enableChannel,
  failedAlerts,
  getChannel,
  kindsFor,
  listChannels,
  sendTest,
  updateChannel,
} from '../../domain/alerts/alerts.service.ts';
import type { AppEnv } from '../deps.ts';
import { confirmFirst } from '../confirm.ts';
import { redirectAfterPost, renderFormError } from '../forms.ts';
import { auditBy, requireRole } from '../middleware/roles.ts';
import { authOf } from '../middleware/session.ts';
import { html, isHtmx } from '../render.ts';

function alertDeps(c: Context<AppEnv>) {
  const { db, clock, policy, delivery, alerts } = c.get('deps');
  return { db, clock, policy, delivery, baseUrl: alerts.baseUrl };
}


function kindOf(v: string | undefined): ChannelKind {
  return (CHANNEL_KINDS as readonly string[]).includes(v ?? '') ? (v as ChannelKind) : 'email';
}

/** Everything the channels page shows; `extra` carries form state, a new secret or a test result. */
async function pageData(c: Context<AppEnv>, extra: Record<string, unknown> = {}) {
  const deps = alertDeps(c);
  const accountId = authOf(c).account.id;
  const [channels, allowed, failed] = await Promise.all([listChannels(deps, accountId), kindsFor(deps, accountId), failedAlerts(deps, accountId)]);
  const kind = kindOf((extra.values as Record<string, string> | undefined)?.kind ?? c.req.query('kind'));
  return {
    channels,
    allowed,
    failed,
    kinds: CHANNEL_KINDS.map((k) => ({ kind: k, label: KIND_LABELS[k], allowed: allowed.includes(k) })),
    kind,
    urlKinds: URL_KINDS,
    values: { kind },
    fields: {},
    mailVia: c.get('deps').delivery.mailer.via,
    ...extra,
  };
}

/**
 * The edit form: name, flags and settings prefilled, except credentials, which are never
 * sent back: each shows a masked stand-in and keeps its value when left blank. A failed
 * submission comes back with what was typed, credentials again left out.
 */
async function editData(c: Context<AppEnv>, channel: Channel, submitted?: Record<string, string>) {
  const secrets = SECRET_FIELDS[channel.kind];
  const values = submitted
    ? Object.fromEntries(Object.entries(submitted).filter(([k]) => !secrets.includes(k) && k !== '_csrf'))
    : { name: channel.name, is_default: channel.isDefault, enabled: true, ...visibleConfig(channel) };
  const allowed = (await kindsFor(alertDeps(c), authOf(c).account.id)).includes(channel.kind);
  return {
    channel, label: KIND_LABELS[channel.kind], kind: channel.kind, urlKinds: URL_KINDS, values, fields: {}, allowed,
    keep: Object.fromEntries(secrets.map((f) => [f, maskedSecret(channel.config[f])])),
  };
}

export const alertRoutes = new Hono<AppEnv>()
  .get('/settings/alerts', async (c) => html(c, 'pages/alerts/index', await pageData(c)))
  // The type select swaps in that type's fields (htmx); without JS the page reloads with ?kind=.
  .get('/settings/alerts/fields', (c) => {
    const kind = kindOf(c.req.query('kind'));
    return html(c, 'partials/alerts/fields', { kind, urlKinds: URL_KINDS, values: { kind }, fields: {} });
  })
  .post('/settings/alerts', requireRole('alerts.write'), async (c) => {
    const form = c.get('form');
    try {
      const { channel, secret } = await createChannel(alertDeps(c), authOf(c).account.id, form, auditBy(c));
      return html(c, 'pages/alerts/index', await pageData(c, { created: channel, secret }), 201);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/alerts/index' }, await pageData(c, { values: form }));
    }
  })
  .get('/settings/alerts/:id', async (c) => {
    const deps = alertDeps(c);
    const accountId = authOf(c).account.id;
    const channel = await getChannel(deps, accountId, parseDbId(c.req.param('id')));
    const log = await deliveryLog(deps, accountId, channel.id, Number(c.req.query('page') ?? 1));
    // A channel's URL is a credential for most kinds: once saved it is shown masked (as on the
    // edit form); recipients only to those who manage channels.
    const target = can(authOf(c).role, 'alerts.write')
      ? [channel.config.url ? maskedSecret(channel.config.url) : null, channel.config.recipients].filter(Boolean).join(' · ')
      : redactedTarget(channel);
    return html(c, 'pages/alerts/show', { channel, log, label: KIND_LABELS[channel.kind], target, saved: c.req.query('saved') === '1' });
  })
  .get('/settings/alerts/:id/edit', requireRole('alerts.write'), async (c) => {
    const channel = await getChannel(alertDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return html(c, 'pages/alerts/edit', await editData(c, channel));
  })
  .post('/settings/alerts/:id/edit', requireRole('alerts.write'), async (c) => {
    const form = c.get('form');
    const accountId = authOf(c).account.id;
    const channel = await getChannel(alertDeps(c), accountId, parseDbId(c.req.param('id')));
    try {
      await updateChannel(alertDeps(c), accountId, channel.id, form, auditBy(c));
      return redirectAfterPost(c, `/settings/alerts/${channel.id}?saved=1`);
    } catch (err) {
      return renderFormError(c, err, { page: 'pages/alerts/edit' }, await editData(c, channel, form));
    }
  })
  .post('/settings/alerts/:id/test', requireRole('alerts.write'), async (c) => {
    const id = parseDbId(c.req.param('id'));
    const channel = await getChannel(alertDeps(c), authOf(c).account.id, id);
    const outcome = await sendTest(alertDeps(c), authOf(c).account.id, id);
    if (isHtmx(c)) return html(c, 'partials/alerts/test-result', { outcome, channel });
    return html(c, 'pages/alerts/index', await pageData(c, { tested: { channel, outcome } }));
  })
  .post('/settings/alerts/:id/enable', requireRole('alerts.write'), async (c) => {
    await enableChannel(alertDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return redirectAfterPost(c, '/settings/alerts');
  })
  .post('/settings/alerts/:id/delete', requireRole('alerts.write'), confirmFirst(async (c) => {
    const ch = await getChannel(alertDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')));
    return { title: `Delete the alert channel "${ch.name}"?`, detail: 'Every monitor stops sending alerts to it, and its delivery log is deleted.', button: 'Delete', cancel: `/settings/alerts/${ch.id}` };
  }), async (c) => {
    await deleteChannel(alertDeps(c), authOf(c).account.id, parseDbId(c.req.param('id')), auditBy(c));
    return redirectAfterPost(c, '/settings/alerts');
  });
