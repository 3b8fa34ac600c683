import { type Context, Hono } from 'hono';
import { ValidationError } from '../../lib/errors.ts';
import { parseDbId } from '../../lib/ids.ts';
import { type Channel, CHANNELS, type ChannelKind, channelDef, isChannelKind, maskedSecret, redactedTarget, visibleConfig } from '../../domain/alerts/alerts.ts';
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
  previewChannel,
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
  return isChannelKind(v) ? v : 'email';
}

/** What the fields partial needs to draw a kind's settings, read from its definition. */
function kindForm(kind: ChannelKind) {
  const def = channelDef(kind);
  return {
    kind,
    inputs: def.fields.map((f) => ({ name: f.name, required: f.required, secret: def.secrets.includes(f.name), ...f.meta })),
    preview: !!def.preview,
    signed: def.signed,
  };
}

/**
 * Where a channel sends, as its page shows it: to those who manage channels every URL
 * (masked when it is a credential) and the plain settings; to others only the redacted target.
 */
function targetFor(c: Context<AppEnv>, channel: Channel): string | null {
  if (!can(authOf(c).role, 'alerts.write')) return redactedTarget(channel);
  const def = channelDef(channel.kind);
  const parts = def.fields
    .filter((f) => channel.config[f.name] && (f.meta.input === 'url' || (f.meta.input === 'text' && !def.secrets.includes(f.name))))
    .map((f) => (def.secrets.includes(f.name) ? maskedSecret(channel.config[f.name]) : channel.config[f.name]!));
  return parts.join(' · ') || null;
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
    kinds: CHANNELS.map((d) => ({ kind: d.kind, label: d.label, allowed: allowed.includes(d.kind) })),
    labels: Object.fromEntries(CHANNELS.map((d) => [d.kind, d.label])),
    ...kindForm(kind),
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
  const secrets = channelDef(channel.kind).secrets;
  const values = submitted
    ? Object.fromEntries(Object.entries(submitted).filter(([k]) => !secrets.includes(k) && k !== '_csrf'))
    : { name: channel.name, is_default: channel.isDefault, enabled: true, ...visibleConfig(channel) };
  const allowed = (await kindsFor(alertDeps(c), authOf(c).account.id)).includes(channel.kind);
  return {
    channel, label: channelDef(channel.kind).label, ...kindForm(channel.kind), values, fields: {}, allowed,
    keep: Object.fromEntries(secrets.map((f) => [f, maskedSecret(channel.config[f])])),
  };
}

export const alertRoutes = new Hono<AppEnv>()
  .get('/settings/alerts', async (c) => html(c, 'pages/alerts/index', await pageData(c)))
  // The type select swaps in that type's fields (htmx); without JS the page reloads with ?kind=.
  .get('/settings/alerts/fields', (c) => {
    const kind = kindOf(c.req.query('kind'));
    return html(c, 'partials/alerts/fields', { ...kindForm(kind), values: { kind }, fields: {} });
  })
  // What a kind with a body template would send for a sample alert, from the unsaved form (htmx).
  .post('/settings/alerts/preview', requireRole('alerts.write'), (c) => {
    try {
      const preview = previewChannel(kindOf(c.req.query('kind')), c.get('form'));
      return html(c, 'partials/alerts/preview', { preview, error: null });
    } catch (err) {
      if (err instanceof ValidationError) return html(c, 'partials/alerts/preview', { preview: null, error: err.message }, 422);
      throw err;
    }
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
    return html(c, 'pages/alerts/show', { channel, log, label: channelDef(channel.kind).label, target: targetFor(c, channel), saved: c.req.query('saved') === '1' });
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
