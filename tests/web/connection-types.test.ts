import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.ts';
import { runCheck } from '../../src/worker/run-check.ts';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { buildApp, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { serviceUrl, testDbKinds } from '../helpers/env.ts';
import { OPEN_GUARD, TEST_ALERTS, TEST_EVENTS } from '../helpers/fixtures.ts';

// The connection check types end to end: added from the form, read back through the form,
// the monitor page and the API without their credentials, edited with the secret left
// blank (kept), and checked by the worker through the registry's dispatch.
const SECRET = 's3cret-Pa55';
const SAMPLES: Record<string, string> = {
  postgres: `postgres://app:${SECRET}@127.0.0.1:5432/test`,
  mysql: `mysql://root:${SECRET}@127.0.0.1:3306/test`,
  redis: `redis://default:${SECRET}@127.0.0.1:6379/0`,
  amqp: `amqp://guest:${SECRET}@127.0.0.1:5672`,
  mqtt: `mqtt://probe:${SECRET}@127.0.0.1:1883`,
  nats: `nats://probe:${SECRET}@127.0.0.1:4222`,
  websocket: `ws://probe:${SECRET}@127.0.0.1:8080/live`,
  smtp: 'smtp://127.0.0.1:2525',
  grpc: 'grpc://127.0.0.1:50051',
};

describe.each(testDbKinds())('connection check types through the product on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => (t = await openTestDb(kind)));
  afterEach(() => t.close());

  it.each(Object.entries(SAMPLES))('%s: form, page and API never show credentials; a blank secret URL on edit keeps it', async (type, url) => {
    const built = buildApp(t.db);
    const owner = await persona(built.app, 'owner');
    const created = await owner.post('/monitors', { type, name: `${type} check`, url, interval_seconds: '60' });
    expect(created.status, await created.clone().text()).toBe(303);
    const id = Number(/\/monitors\/(\d+)/.exec(created.headers.get('location') ?? '')![1]);
    for (const path of [`/monitors/${id}`, `/monitors/${id}/edit`, '/dashboard']) {
      const html = await (await owner.get(path)).text();
      expect(html, path).not.toContain(SECRET);
      expect(html, path).toContain(`${type} check`);
    }
    const api = apiClient(built.app, await createKeyVia(owner));
    const got = await api.get(`/monitors/${id}`);
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(SECRET);
    // A URL with credentials is write-only: left blank it stays; SMTP and gRPC URLs carry none and are shown as they are.
    const edited = await owner.post(`/monitors/${id}/edit`, { type, name: `${type} renamed`, url: url.includes(SECRET) ? '' : url, interval_seconds: '120' });
    expect(edited.status, await edited.clone().text()).toBe(303);
    const row = await t.db.selectFrom('monitors').select(['name', 'settings', 'interval_s']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: `${type} renamed`, interval_s: 120 });
    expect(JSON.parse(row.settings).url).toBe(url);
  });

  it.skipIf(!serviceUrl('redis'))('the worker checks a Redis monitor through the registry: up, then down on a closed port', async () => {
    const built = buildApp(t.db);
    const owner = await persona(built.app, 'owner');
    const id = async (url: string) => {
      const res = await owner.post('/monitors', { type: 'redis', name: 'cache', url, interval_seconds: '60', retries: '0' });
      return Number(/\/monitors\/(\d+)/.exec(res.headers.get('location') ?? '')![1]);
    };
    const deps = { db: t.db, clock: built.clock, logger: silentLogger, probe: { guard: OPEN_GUARD }, alerts: TEST_ALERTS, events: TEST_EVENTS, retryPauseMs: 0 };
    const up = await id(serviceUrl('redis')!);
    await runCheck(deps, up);
    const down = await id('redis://127.0.0.1:1');
    await runCheck(deps, down);
    const rows = await t.db.selectFrom('monitors').select(['id', 'last_ok', 'last_error']).where('id', 'in', [up, down]).orderBy('id').execute();
    expect(rows.map((r) => [Boolean(r.last_ok), r.last_error])).toEqual([[true, null], [false, 'Connection refused by 127.0.0.1:1']]);
  });
});
