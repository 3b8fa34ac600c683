import { z } from 'zod';
import { httpUrl } from '../../lib/validate.ts';
import { parseStatusRanges } from '../checks/probes/assertions.ts';
import type { MonitorStatus } from '../checks/state-machine.ts';

export const METHODS = ['GET', 'HEAD', 'POST'] as const;
export const MONITOR_TYPES = ['http', 'tcp', 'dns', 'tls', 'ping', 'heartbeat', 'browser'] as const;
export type MonitorType = (typeof MONITOR_TYPES)[number];
export const TYPE_LABELS: Record<MonitorType, string> = { http: 'HTTP(S)', tcp: 'TCP port', dns: 'DNS', tls: 'TLS certificate', ping: 'Ping (ICMP)', heartbeat: 'Heartbeat (push)', browser: 'Browser journey' };
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type HttpMethod = (typeof METHODS)[number];

export interface Monitor {
  id: number;
  accountId: number;
  type: MonitorType;
  /** Type-specific settings (TCP host/port, DNS record/resolver/expected values). */
  settings: Record<string, string>;
  /** Extra attempts before a failed check counts (0–3). */
  retries: number;
  /** A passing check slower than this marks the monitor degraded; null = never. */
  degradedMs: number | null;
  /** Heartbeat monitors: the secret in /push/<token>, the last ping, a run in progress. */
  pushToken: string | null;
  lastPingAt: number | null;
  runStartedAt: number | null;
  name: string;
  url: string;
  method: HttpMethod;
  expectedStatus: string;
  keyword: string | null;
  timeoutMs: number;
  intervalSeconds: number;
  isPublic: boolean;
  failureThreshold: number;
  isPaused: boolean;
  status: MonitorStatus;
  consecutiveFailures: number;
  lastCheckedAt: number | null;
  lastOk: boolean | null;
  lastStatusCode: number | null;
  lastResponseMs: number | null;
  lastError: string | null;
  checkRequestedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Hours between "still down" reminders; null = off. */
  reminderHours: number | null;
  flappingSince: number | null;
  /** 'plan' when a downgrade paused it; null when a person did (or it runs). */
  pausedReason?: string | null;
}

/** What the dashboard shows: the machine state, or `paused`. */
export type DisplayStatus = MonitorStatus | 'paused';
export function displayStatus(m: Pick<Monitor, 'isPaused' | 'status'>): DisplayStatus {
  return m.isPaused ? 'paused' : m.status;
}

/** Absent means yes; forms send a hidden "false" before the checkbox so unticking is explicit. */
const checkboxDefaultOn = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => v === undefined || v === true || v === 'on' || v === 'true' || v === '1');

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Keep it under ${max} characters`)
    .optional()
    .transform((v) => (v ? v : null));

/** Blank form fields count as not given, so defaults apply instead of "0". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Form/API input for creating or editing an HTTP monitor. Numbers arrive as strings from forms. */
export const monitorInputSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the monitor a name').max(100, 'Keep the name under 100 characters'),
    url: httpUrl('Enter the URL to check'),
    method: z.enum(METHODS, { message: 'Method must be GET, HEAD or POST' }).default('GET'),
    expected_status: z
      .string()
      .trim()
      .default('200-399')
      .transform((v) => v || '200-399')
      .superRefine((v, ctx) => {
        try {
          parseStatusRanges(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    keyword: optionalText(200),
    timeout_seconds: z.preprocess(blankToUndefined, z.coerce
      .number({ message: 'Timeout must be a number of seconds' })
      .int('Timeout must be whole seconds')
      .min(1, 'Timeout must be at least 1 second')
      .max(60, 'Timeout can be at most 60 seconds')
      .optional()),
    interval_seconds: z.coerce
      .number({ message: 'Interval must be a number of seconds' })
      .int('Interval must be whole seconds')
      .min(1, 'Interval must be at least 1 second')
      .max(86400, 'Interval can be at most one day (86400 seconds)'),
    is_public: checkboxDefaultOn,
    failure_threshold: z.preprocess(blankToUndefined, z.coerce
      .number({ message: 'Threshold must be a number' })
      .int('Threshold must be a whole number')
      .min(1, 'Threshold must be at least 1')
      .max(20, 'Threshold can be at most 20')
      .default(3)),
    retries: z.preprocess(blankToUndefined, z.coerce
      .number({ message: 'Retries must be a number' })
      .int('Retries must be a whole number')
      .min(0, 'Retries cannot be negative')
      .max(3, 'At most 3 retries')
      .default(1)),
    degraded_ms: z.preprocess(blankToUndefined, z.coerce
      .number({ message: 'The slow threshold must be a number of milliseconds' })
      .int('Whole milliseconds')
      .min(1, 'At least 1 ms')
      .max(60_000, 'At most 60000 ms')
      .optional()),
    reminder_hours: z.preprocess(blankToUndefined, z.coerce
      .number({ message: 'Reminder interval must be a number of hours' })
      .int('Reminder interval must be whole hours')
      .min(1, 'Remind at most every hour')
      .max(168, 'Remind at least once a week (168 hours)')
      .optional()),
  })
  // Without an explicit timeout: 10 s, or the interval when that is shorter.
  .transform((v) => ({ ...v, timeout_seconds: v.timeout_seconds ?? Math.min(10, v.interval_seconds) }))
  .superRefine((v, ctx) => {
    if (v.timeout_seconds > v.interval_seconds) {
      ctx.addIssue({ code: 'custom', path: ['timeout_seconds'], message: 'Timeout must not exceed the interval' });
    }
    if (v.method === 'HEAD' && v.keyword) {
      ctx.addIssue({ code: 'custom', path: ['keyword'], message: 'HEAD responses have no body; use GET to check a keyword' });
    }
  });

export type MonitorInput = z.output<typeof monitorInputSchema>;
