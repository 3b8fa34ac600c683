import { z } from 'zod';
import { describeEvent, plainTitle } from '../event.ts';
import { clip, defineChannel, field, incidentKey, jsonPost, pairedEventsOnly, selectField } from './channel.ts';

const REGIONS = [['us', 'US (api.opsgenie.com)'], ['eu', 'EU (api.eu.opsgenie.com)']] as const;
const PRIORITIES = [['P1', 'P1 – Critical'], ['P2', 'P2 – High'], ['P3', 'P3 – Moderate'], ['P4', 'P4 – Low'], ['P5', 'P5 – Informational']] as const;

/**
 * Opsgenie Alert API v2: down creates an alert whose alias is the incident (a reminder with
 * the same alias only raises its count), up closes it by alias.
 */
export const opsgenie = defineChannel({
  kind: 'opsgenie',
  label: 'Opsgenie',
  sends: 'Alert API v2: create on down (`alias` = the incident, so repeats are deduplicated), close by alias on up; US or EU API',
  plan: 'business',
  config: z.object({
    api_key: field(z.string().trim().regex(/^[\w-]{20,64}$/, 'An Opsgenie API key looks like 0a1b2c3d-4e5f-…'), {
      label: 'API key', input: 'secret', help: 'Of an API integration (Settings → Integrations → API), with create and update access.',
    }),
    region: selectField({ label: 'Region', help: 'Where your Opsgenie account lives.' }, REGIONS),
    priority: selectField({ label: 'Priority of down alerts', help: 'Test messages are sent as P5.' }, PRIORITIES),
  }),
  // Like PagerDuty: a flapping or certificate notice would open an alert nothing closes.
  accepts: pairedEventsOnly,
  redact: (c) => (c.region === 'eu' ? 'api.eu.opsgenie.com' : 'api.opsgenie.com'),
  render(e, c, ctx) {
    const base = c.region === 'eu' ? ctx.providers.opsgenieEu : ctx.providers.opsgenie;
    const auth = { authorization: `GenieKey ${c.api_key}` };
    const alias = incidentKey(e, ctx);
    if (e.event === 'up') {
      const { summary } = describeEvent(e);
      return jsonPost(`${base}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`, { source: 'StatusPing', note: summary }, ctx, auth);
    }
    const { summary } = describeEvent(e);
    return jsonPost(`${base}/v2/alerts`, {
      message: clip(plainTitle(e), 130),
      alias,
      description: clip(`${summary}\n\n${e.link}`, 15_000),
      source: 'StatusPing',
      entity: clip(e.monitor.name, 512),
      priority: e.event === 'test' ? 'P5' : c.priority,
      tags: ['statusping', e.event],
      details: { monitor: e.monitor.name, url: e.monitor.url, cause: e.incident?.cause ?? '', link: e.link },
    }, ctx, auth);
  },
});
