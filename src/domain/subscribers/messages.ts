import { renderMarkdown } from '../../lib/markdown.ts';
import type { HttpMessage, MailMessage } from '../alerts/channels/channel.ts';
import { signStandardWebhook } from '../alerts/channels/webhook.ts';
import type { SubscriberNotice } from './notify.ts';

export interface MessagePage {
  title: string;
  url: string;
}

export interface MessageTarget {
  kind: string;
  address: string;
  secret: string | null;
  unsubscribeUrl: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);


/** RFC 2369 / RFC 8058 headers: mail clients show an unsubscribe button that POSTs to the link. */
function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function mailHtml(page: MessagePage, inner: string, unsubscribeUrl: string): string {
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a;max-width:600px">
${inner}
<p style="color:#94a3b8;font-size:12px;margin-top:24px">You receive this because you subscribed to updates from <a href="${esc(page.url)}">${esc(page.title)}</a>.
<a href="${esc(unsubscribeUrl)}">Unsubscribe</a></p></body></html>`;
}

function signedPost(url: string, secret: string, id: string, timestamp: number, payload: unknown): HttpMessage {
  const body = JSON.stringify(payload);
  return {
    type: 'http',
    url,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': id,
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
    },
    body,
  };
}

/** A published update or maintenance notice, as an email or a signed webhook POST. */
export function renderNotice(n: SubscriberNotice, page: MessagePage, to: MessageTarget, ctx: { idempotencyKey: string; timestamp: number }): MailMessage | HttpMessage {
  if (to.kind === 'webhook') {
    return signedPost(to.address, to.secret ?? '', ctx.idempotencyKey, ctx.timestamp, {
      type: n.event,
      timestamp: new Date(n.at).toISOString(),
      data: { page: { name: page.title, url: page.url }, subject: n.subject, body: n.body, url: n.url, component_ids: n.componentIds, unsubscribe_url: to.unsubscribeUrl },
    });
  }
  const text = [n.subject, '', n.body, '', `Read it on the status page: ${n.url}`, '', `— ${page.title}`, `Unsubscribe: ${to.unsubscribeUrl}`].join('\n');
  const html = mailHtml(page, `<h2 style="margin:0 0 12px">${esc(n.subject)}</h2>${renderMarkdown(n.body)}<p><a href="${esc(n.url)}">Read it on the status page</a></p>`, to.unsubscribeUrl);
  return { type: 'mail', to: [to.address], subject: `[${page.title}] ${n.subject}`, text, html, idempotencyKey: ctx.idempotencyKey, headers: unsubscribeHeaders(to.unsubscribeUrl) };
}

/**
 * The double opt-in message. An email gets the link to click; a webhook endpoint gets a
 * signed `subscription.confirm` POST with the link (its owner opens it, or the receiver
 * fetches it) and the signing secret its later notices are signed with.
 */
export function renderConfirm(confirmUrl: string, page: MessagePage, to: MessageTarget, ctx: { idempotencyKey: string; timestamp: number; at: number }): MailMessage | HttpMessage {
  if (to.kind === 'webhook') {
    return signedPost(to.address, to.secret ?? '', ctx.idempotencyKey, ctx.timestamp, {
      type: 'subscription.confirm',
      timestamp: new Date(ctx.at).toISOString(),
      data: { page: { name: page.title, url: page.url }, confirm_url: confirmUrl, signing_secret: to.secret, unsubscribe_url: to.unsubscribeUrl },
    });
  }
  const subject = `Confirm your subscription to ${page.title}`;
  const text = [
    `Please confirm that you want email updates from ${page.title}:`,
    '',
    confirmUrl,
    '',
    'The link works for 7 days. If you did not ask for this, ignore this email and nothing will be sent.',
  ].join('\n');
  const html = mailHtml(
    page,
    `<h2 style="margin:0 0 12px">${esc(subject)}</h2><p>Please confirm that you want email updates from ${esc(page.title)}.</p>
<p><a href="${esc(confirmUrl)}" style="display:inline-block;padding:8px 16px;background:#4f46e5;color:#fff;border-radius:6px;text-decoration:none">Confirm subscription</a></p>
<p style="color:#64748b">The link works for 7 days. If you did not ask for this, ignore this email and nothing will be sent.</p>`,
    to.unsubscribeUrl,
  );
  return { type: 'mail', to: [to.address], subject, text, html, idempotencyKey: ctx.idempotencyKey };
}
