import type { ChannelKind } from '../alerts.ts';
import type { ChannelPlugin } from './channel.ts';
import { discord } from './discord.ts';
import { ntfy } from './ntfy.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { telegram } from './telegram.ts';
import { email } from './email.ts';
import { webhook } from './webhook.ts';

export const PLUGINS: Record<ChannelKind, ChannelPlugin> = { email, webhook, slack, discord, teams, telegram, ntfy, pagerduty };
