import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineChannel, hostOf, secretUrlField } from './channel.ts';

/**
 * Standard Webhooks signature: base64 HMAC-SHA256 over "id.timestamp.body" with the
 * decoded `whsec_` secret, sent as `webhook-signature: v1,<sig>`.
 */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** JSON body: `type` is `monitor.down`, `monitor.up`, … ; `data` carries the alert. */
export const webhook = defineChannel({
  kind: 'webhook',
  label: 'Webhook',
  sends: 'JSON POST signed per [Standard Webhooks](https://www.standardwebhooks.com/)',
  plan: 'pro',
  // A generic webhook URL often has a token in its query: a credential.
  config: z.object({ url: secretUrlField('We POST signed JSON here (Standard Webhooks).') }),
  signed: true,
  redact: (config) => hostOf(config.url),
  render(e, config, ctx) {
    const body = JSON.stringify({
      type: `monitor.${e.event}`,
      timestamp: new Date(e.at).toISOString(),
      data: {
        monitor: e.monitor,
        incident: e.incident && {
          id: e.incident.id,
          cause: e.incident.cause,
          started_at: new Date(e.incident.startedAt).toISOString(),
          resolved_at: e.incident.resolvedAt ? new Date(e.incident.resolvedAt).toISOString() : null,
          duration_seconds: e.incident.resolvedAt ? Math.round((e.incident.resolvedAt - e.incident.startedAt) / 1000) : null,
        },
        link: e.link,
        test: e.event === 'test',
      },
    });
    return {
      type: 'http',
      url: config.url,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': ctx.idempotencyKey,
        'webhook-id': ctx.idempotencyKey,
        'webhook-timestamp': String(ctx.timestamp),
        'webhook-signature': signStandardWebhook(config.secret!, ctx.idempotencyKey, ctx.timestamp, body),
      },
      body,
    };
  },
});
