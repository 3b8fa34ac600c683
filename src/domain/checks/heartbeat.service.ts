import { Cron } from 'croner';
import type { Db } from '../../db/create-db.ts';
import { type RecordContext, recordResult } from './checks.service.ts';
import { type Heartbeat, heartbeatByToken, markPinged, markRunStarted } from './monitor-state.repository.ts';
import type { HeartbeatSettings } from './probes/heartbeat.ts';
import type { ProbeResult } from './probes/probe.ts';

export type PingKind = 'ok' | 'fail' | 'start';

/**
 * The heartbeat monitor a push token belongs to: one indexed lookup, none for a token that
 * cannot be one. The push route asks first, so only real tokens get a per-token budget.
 */
export async function findHeartbeat(db: Db, token: string): Promise<Heartbeat | undefined> {
  const m = /^[\w-]{10,64}$/.test(token) ? await heartbeatByToken(db, token) : undefined;
  return m?.type === 'heartbeat' ? m : undefined;
}

/**
 * A job calling /push/<token>[/fail|/start] of heartbeat `m` (see findHeartbeat). `start`
 * marks a run; `ok` records a success whose response time is the run's duration (since
 * `start`, if any); `fail` records a failure. Paused monitors accept pings and ignore them.
 */
export async function receivePing(db: Db, ctx: RecordContext, m: Heartbeat, kind: PingKind, now: number, message?: string): Promise<{ recorded: boolean }> {
  if (m.isPaused) return { recorded: false };
  if (kind === 'start') {
    await markRunStarted(db, m.id, now);
    return { recorded: false };
  }
  const runMs = m.runStartedAt !== null && m.runStartedAt <= now ? now - m.runStartedAt : 0;
  await markPinged(db, m.id, now);
  const note = message?.replace(/\s+/g, ' ').trim().slice(0, 200);
  const result: ProbeResult =
    kind === 'ok'
      ? { ok: true, statusCode: null, responseMs: runMs, error: null }
      : { ok: false, statusCode: null, responseMs: runMs, error: `The job reported a failure${note ? `: ${note}` : ''}` };
  await recordResult(db, m.id, result, now, { alerts: ctx.alerts, events: ctx.events });
  return { recorded: true };
}

/** What the schedule of a heartbeat monitor is read from (the monitors context's Monitor has it). */
export interface HeartbeatSchedule {
  settings: Record<string, unknown>;
  lastPingAt: number | null;
  createdAt: number;
  intervalSeconds: number;
}

/**
 * The scheduled look at a heartbeat monitor: a failure once a ping is overdue (period +
 * grace since the last one), otherwise nothing to record.
 */
export function overdueResult(m: HeartbeatSchedule, now: number): ProbeResult | null {
  const s = m.settings as HeartbeatSettings;
  const grace = s.grace_seconds * 1000;
  const last = m.lastPingAt ?? m.createdAt;
  if (s.cron) {
    // Cron period: the latest scheduled run that is more than `grace` old must have pinged.
    const cron = new Cron(s.cron, { timezone: s.timezone || 'UTC', paused: true });
    const expected = cron.previousRuns(1, new Date(now - grace))[0];
    cron.stop();
    if (!expected || last >= expected.getTime() || expected.getTime() < m.createdAt) return null;
    return { ok: false, statusCode: null, responseMs: 0, error: `No ping for the run due at ${expected.toISOString()} ("${s.cron}", ${grace / 1000} s grace)` };
  }
  const due = last + m.intervalSeconds * 1000 + grace;
  if (now <= due) return null;
  const ago = Math.round((now - last) / 1000);
  return {
    ok: false,
    statusCode: null,
    responseMs: 0,
    error: `No ping for ${ago} s (expected every ${m.intervalSeconds} s, ${grace / 1000} s grace)`,
  };
}
