/**
 * Monitor state machine. `pending` lasts until the first conclusive result: a success, or
 * `threshold` failures in a row. Pausing is a flag outside this machine, so an outage that
 * is paused and resumed continues where it was (no second incident, no second alert).
 */
export type MonitorStatus = 'pending' | 'up' | 'degraded' | 'down';

export interface MonitorState {
  status: MonitorStatus;
  consecutiveFailures: number;
}

export type Transition = 'none' | 'went_down' | 'recovered';

/**
 * `slow` = the check passed but took longer than the monitor's degraded threshold: the
 * monitor is `degraded` (working, amber), which never opens an incident.
 */
export function nextState(
  prev: MonitorState,
  ok: boolean,
  threshold: number,
  slow = false,
): { state: MonitorState; transition: Transition } {
  if (ok) {
    return {
      state: { status: slow ? 'degraded' : 'up', consecutiveFailures: 0 },
      transition: prev.status === 'down' ? 'recovered' : 'none',
    };
  }
  const failures = prev.consecutiveFailures + 1;
  if (prev.status !== 'down' && failures >= Math.max(1, threshold)) {
    return { state: { status: 'down', consecutiveFailures: failures }, transition: 'went_down' };
  }
  return { state: { status: prev.status, consecutiveFailures: failures }, transition: 'none' };
}
