import { describe, expect, it } from 'vitest';
import { type MonitorState, nextState } from '../../src/domain/checks/state-machine.ts';

function run(results: boolean[], threshold = 3, start: MonitorState = { status: 'pending', consecutiveFailures: 0 }) {
  let state = start;
  const transitions: string[] = [];
  for (const ok of results) {
    const r = nextState(state, ok, threshold);
    state = r.state;
    transitions.push(r.transition);
  }
  return { state, transitions };
}

describe('monitor state machine', () => {
  it('stays pending while failures are below the threshold, then goes down on the third', () => {
    const r = run([false, false]);
    expect(r.state).toEqual({ status: 'pending', consecutiveFailures: 2 });
    expect(r.transitions).toEqual(['none', 'none']);
    const r3 = run([false, false, false]);
    expect(r3.state.status).toBe('down');
    expect(r3.transitions).toEqual(['none', 'none', 'went_down']);
  });

  it('a single failure while up opens nothing and the next success resets the count', () => {
    const r = run([true, false, true, false, false]);
    expect(r.state).toEqual({ status: 'up', consecutiveFailures: 2 });
    expect(r.transitions).not.toContain('went_down');
  });

  it('recovers on the first success and reports the transition once', () => {
    const r = run([true, false, false, false, false, false, true, true]);
    expect(r.transitions.filter((t) => t === 'went_down')).toHaveLength(1);
    expect(r.transitions.filter((t) => t === 'recovered')).toHaveLength(1);
    expect(r.transitions.at(-2)).toBe('recovered');
    expect(r.state).toEqual({ status: 'up', consecutiveFailures: 0 });
  });

  it('flapping up/down/up yields one down and one recovery per real outage', () => {
    const r = run([true, false, false, false, true, false, false, false, true], 3);
    expect(r.transitions.filter((t) => t === 'went_down')).toHaveLength(2);
    expect(r.transitions.filter((t) => t === 'recovered')).toHaveLength(2);
  });

  it('alternating pass/fail never reaches the threshold', () => {
    const r = run([true, false, true, false, true, false, true], 2);
    expect(r.transitions.every((t) => t === 'none')).toBe(true);
    expect(r.state.status).toBe('up');
  });

  it('honours a per-monitor threshold of 1', () => {
    expect(nextState({ status: 'up', consecutiveFailures: 0 }, false, 1).transition).toBe('went_down');
  });

  it('keeps counting while down without going down again (state kept across a pause)', () => {
    const down: MonitorState = { status: 'down', consecutiveFailures: 7 };
    const r = nextState(down, false, 3);
    expect(r).toEqual({ state: { status: 'down', consecutiveFailures: 8 }, transition: 'none' });
    expect(nextState(down, true, 3).transition).toBe('recovered');
  });
});
