import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { ManualClock } from '../../src/lib/clock.ts';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { openTestDb, type TestDb } from './db.ts';
import type { TestDbKind } from './env.ts';
import { TEST_CHECKS } from './fixtures.ts';
import { startTarget, type Target } from './target.ts';
import { OPEN_GUARD } from '../helpers/fixtures.ts';

export interface CheckFlow {
  /** A fresh database for each test. */
  t: TestDb;
  /** Starts each test at 2026-11-20 12:00 UTC. */
  clock: ManualClock;
  /** A real HTTP target for the describe block, healthy at the start of each test. */
  target: Target;
  /** Advances the clock one minute and runs one real check of the monitor, as the worker does. */
  check(monitorId: number): ReturnType<typeof runCheck>;
}

/** Per-test database, clock and real target for tests that drive monitors through real checks. */
export function useCheckFlow(kind: TestDbKind): CheckFlow {
  const ctx = {} as CheckFlow;
  beforeAll(async () => {
    ctx.target = await startTarget();
  });
  afterAll(() => ctx.target.close());
  beforeEach(async () => {
    ctx.t = await openTestDb(kind);
    ctx.clock = new ManualClock(Date.UTC(2026, 10, 20, 12));
    ctx.target.healthy = true;
  });
  afterEach(() => ctx.t.close());
  ctx.check = (id) => {
    ctx.clock.advance(60_000);
    return runCheck({ db: ctx.t.db, clock: ctx.clock, logger: silentLogger, probe: { guard: OPEN_GUARD }, ...TEST_CHECKS }, id);
  };
  return ctx;
}
