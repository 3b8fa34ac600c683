import { Cron } from 'croner';
import { z } from 'zod';
import { isTimeZone } from '../../../lib/timezone.ts';
import { defineCheckType, failed } from './contract.ts';
import { whole } from './fields.ts';

// A push type: nothing is probed; /push/<token> records results and the schedule notices
// a missing ping (heartbeat.service.ts).

const settings = z.object({
  cron: z
    .string()
    .trim()
    .default('')
    .superRefine((v, ctx) => {
      if (!v) return;
      try {
        new Cron(v, { paused: true }).stop();
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Not a valid cron expression; use five fields like 0 3 * * *' });
      }
    }),
  timezone: z.string().trim().default('UTC').refine(isTimeZone, 'Unknown time zone (use a name like Europe/Paris or UTC)'),
  grace_seconds: whole(0, 86_400, 'Grace is 0 to 86400 seconds (a day)', 'Grace must be a number of seconds').default(60),
});

export type HeartbeatSettings = z.output<typeof settings>;

export const heartbeat = defineCheckType({
  type: 'heartbeat',
  label: 'Heartbeat (push)',
  description: 'Your job calls a secret URL (shown after you save) each time it succeeds; no ping within the Interval plus the grace period counts as a failure.',
  settings,
  fields: {
    cron: { label: 'Schedule as cron (optional)', input: 'text', help: 'e.g. 0 3 * * * for a nightly job; empty = every Interval.' },
    timezone: { label: 'Time zone of the cron', input: 'text' },
    grace_seconds: { label: 'Grace period (seconds)', input: 'number', min: 0, max: 86_400, help: 'How late a ping may be before it counts as missed.' },
  },
  secrets: [],
  probed: false,
  target: () => 'heartbeat://push',
  summary: (s) => (s.cron ? `Heartbeat, cron "${s.cron}"` : 'Heartbeat (push)'),
  hosts: () => [],
  run: async () => failed('Heartbeat monitors are not probed: they wait for pings'),
});
