import type { AlertEvent } from '../alerts.ts';

/** An HTTP POST to a provider or a user's endpoint. */
export interface HttpMessage {
  type: 'http';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** An email, sent through Resend, SMTP or the log. */
export interface MailMessage {
  type: 'mail';
  to: string[];
  subject: string;
  text: string;
  html: string;
  idempotencyKey: string;
  /** Extra headers, e.g. List-Unsubscribe on notices to status-page subscribers. */
  headers?: Record<string, string>;
}

export type OutgoingMessage = HttpMessage | MailMessage;

export interface RenderContext {
  idempotencyKey: string;
  /** Seconds since the epoch, for signatures. */
  timestamp: number;
  providers: ProviderUrls;
}

/** Base URLs of third-party APIs: overridable so tests can point them at a local server. */
export interface ProviderUrls {
  telegram: string;
  pagerduty: string;
}

/** One notification channel: turns an alert into the provider's native message. */
export interface ChannelPlugin {
  render(event: AlertEvent, config: Record<string, string>, ctx: RenderContext): OutgoingMessage;
}

export function jsonPost(url: string, body: unknown, ctx: RenderContext, extra: Record<string, string> = {}): HttpMessage {
  return {
    type: 'http',
    url,
    headers: { 'content-type': 'application/json', 'idempotency-key': ctx.idempotencyKey, ...extra },
    body: JSON.stringify(body),
  };
}
