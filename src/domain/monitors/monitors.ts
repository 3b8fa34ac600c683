import { z } from 'zod';
import { nameText } from '../../lib/validate.ts';
import type { HttpMethod } from '../checks/probes/http-settings.ts';
import type { MonitorStatus } from '../checks/state-machine.ts';

export type { HttpMethod };
/** A registered check type's name (probes/index.ts lists them). */
export type MonitorType = string;

export interface Monitor {
  id: number;
  accountId: number;
  type: MonitorType;
  /** The type's typed settings, parsed through its schema when read (probes/<type>.ts). */
  settings: Record<string, unknown>;
  /** Extra attempts before a failed check counts (0–3). */
  retries: number;
  /** A passing check slower than this marks the monitor degraded; null = never. */
  degradedMs: number | null;
  /** Heartbeat monitors: the secret in /push/<token>, the last ping, a run in progress. */
  pushToken: string | null;
  lastPingAt: number | null;
  runStartedAt: number | null;
  name: string;
  /** The type's target(): the URL, or a readable pseudo-URL such as tcp://[::1]:22. */
  url: string;
  /** HTTP's method, expected status and keyword, mirrored in their columns ('GET', '200-399', null for other types). */
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

/** Blank form fields count as not given, so defaults apply instead of "0". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/**
 * The fields every monitor has, whatever its type: forms send strings, the API JSON, and
 * both go through this schema (the type's settings go through its own, see monitor-input.ts).
 */
const commonFields = {
  name: nameText().min(1, 'Give the monitor a name').max(100, 'Keep the name under 100 characters').describe('Display name'),
  timeout_seconds: z.preprocess(blankToUndefined, z.coerce
    .number({ message: 'Timeout must be a number of seconds' })
    .int('Timeout must be whole seconds')
    .min(1, 'Timeout must be at least 1 second')
    .max(60, 'Timeout can be at most 60 seconds')
    .optional()).describe('Seconds before a check fails (default 10, or the interval when shorter; at most the interval)'),
  interval_seconds: z.coerce
    .number({ message: 'Interval must be a number of seconds' })
    .int('Interval must be whole seconds')
    .min(1, 'Interval must be at least 1 second')
    .max(86400, 'Interval can be at most one day (86400 seconds)')
    .describe('Seconds between checks (at least the plan minimum); for a heartbeat, how often the job runs'),
  is_public: checkboxDefaultOn.describe('Shown on the public status page (default true)'),
  failure_threshold: z.preprocess(blankToUndefined, z.coerce
    .number({ message: 'Threshold must be a number' })
    .int('Threshold must be a whole number')
    .min(1, 'Threshold must be at least 1')
    .max(20, 'Threshold can be at most 20')
    .default(3)).describe('Consecutive failures before the monitor is down (default 3)'),
  retries: z.preprocess(blankToUndefined, z.coerce
    .number({ message: 'Retries must be a number' })
    .int('Retries must be a whole number')
    .min(0, 'Retries cannot be negative')
    .max(3, 'At most 3 retries')
    .default(1)).describe('Extra attempts before a failure counts (default 1)'),
  degraded_ms: z.preprocess(blankToUndefined, z.coerce
    .number({ message: 'The slow threshold must be a number of milliseconds' })
    .int('Whole milliseconds')
    .min(1, 'At least 1 ms')
    .max(60_000, 'At most 60000 ms')
    .optional()).describe('A passing check slower than this (ms) marks the monitor degraded'),
  reminder_hours: z.preprocess(blankToUndefined, z.coerce
    .number({ message: 'Reminder interval must be a number of hours' })
    .int('Reminder interval must be whole hours')
    .min(1, 'Remind at most every hour')
    .max(168, 'Remind at least once a week (168 hours)')
    .optional()).describe('Hours between "still down" reminders; empty = off'),
};

/** The names of the fields every monitor has (the rest of an input are its type's settings). */
export const MONITOR_FIELDS: readonly string[] = Object.keys(commonFields);

export const monitorInputSchema = z
  .object(commonFields)
  // Without an explicit timeout: 10 s, or the interval when that is shorter.
  .transform((v) => ({ ...v, timeout_seconds: v.timeout_seconds ?? Math.min(10, v.interval_seconds) }))
  .superRefine((v, ctx) => {
    if (v.timeout_seconds > v.interval_seconds) {
      ctx.addIssue({ code: 'custom', path: ['timeout_seconds'], message: 'Timeout must not exceed the interval' });
    }
  });

export type MonitorInput = z.output<typeof monitorInputSchema>;
