import type { ChannelKind } from '../../src/domain/alerts/alerts.ts';

/**
 * A valid configuration of every kind, as a form or API client sends it. Typed by the
 * registry, so a new channel does not compile until it has one. `{rx}` is replaced by the
 * local receiver's URL where the channel sends to a URL the user supplies.
 */
export const SAMPLE_CONFIGS: Record<ChannelKind, Record<string, string>> = {
  email: { recipients: 'ops@example.com' },
  webhook: { url: '{rx}/hook?token=sample-webhook-secret' },
  slack: { url: '{rx}/slack/sample-slack-secret' },
  discord: { url: '{rx}/discord/sample-discord-secret' },
  teams: { url: '{rx}/teams/sample-teams-secret' },
  telegram: { bot_token: '123456:SAMPLETELEGRAMSECRET0123', chat_id: '42' },
  ntfy: { url: '{rx}/ntfy/sample-ntfy-secret' },
  pagerduty: { routing_key: 'SAMPLEPAGERDUTYSECRET0123456789AB' },
};

export function sampleConfig(kind: ChannelKind, rxUrl: string): Record<string, string> {
  return Object.fromEntries(Object.entries(SAMPLE_CONFIGS[kind]).map(([k, v]) => [k, v.replace('{rx}', rxUrl)]));
}
