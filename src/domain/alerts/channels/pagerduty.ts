import { describeEvent } from '../alerts.ts';
import { type ChannelPlugin, jsonPost } from './channel.ts';

/** PagerDuty Events API v2: trigger on down, resolve on up, one dedup key per incident. */
export const pagerduty: ChannelPlugin = {
  render(e, config, ctx) {
    const { summary } = describeEvent(e);
    const dedup = e.incident ? `statusping-incident-${e.incident.id}` : `statusping-test-${ctx.idempotencyKey}`;
    const action = e.event === 'up' ? 'resolve' : 'trigger';
    return jsonPost(`${ctx.providers.pagerduty}/v2/enqueue`, {
      routing_key: config.routing_key,
      event_action: action,
      dedup_key: dedup,
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
};
