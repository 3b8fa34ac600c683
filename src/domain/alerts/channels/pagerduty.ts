import { z } from 'zod';
import { describeEvent } from '../event.ts';
import { defineChannel, field, incidentKey, jsonPost, pairedEventsOnly } from './channel.ts';

/** PagerDuty Events API v2: trigger on down, resolve on up, one dedup key per incident. */
export const pagerduty = defineChannel({
  kind: 'pagerduty',
  label: 'PagerDuty',
  sends: 'Events API v2: `trigger` on down, `resolve` on up, one `dedup_key` per incident',
  plan: 'business',
  config: z.object({
    routing_key: field(z.string().trim().regex(/^[\w]{20,40}$/, 'The integration (routing) key is 32 letters and digits'), {
      label: 'Integration key', input: 'secret', help: 'Events API v2 integration (routing) key of a PagerDuty service.',
    }),
  }),
  // PagerDuty pairs trigger with resolve; a flapping or certificate notice would open an incident nothing closes.
  accepts: pairedEventsOnly,
  redact: () => 'events.pagerduty.com',
  render(e, config, ctx) {
    const { summary } = describeEvent(e);
    const action = e.event === 'up' ? 'resolve' : 'trigger';
    return jsonPost(`${ctx.providers.pagerduty}/v2/enqueue`, {
      routing_key: config.routing_key,
      event_action: action,
      dedup_key: incidentKey(e, ctx),
      ...(action === 'trigger'
        ? {
            payload: {
              summary,
              source: e.monitor.url,
              severity: e.event === 'test' ? 'info' : e.event === 'flapping' ? 'warning' : 'critical',
              timestamp: new Date(e.at).toISOString(),
              custom_details: { monitor: e.monitor.name, cause: e.incident?.cause ?? null },
            },
            links: [{ href: e.link, text: 'Open the monitor' }],
          }
        : {}),
    }, ctx);
  },
});
