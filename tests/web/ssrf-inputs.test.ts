import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { buildApp, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';

// A self-hosted instance with the guard on (no plan limits, API included) and 127.0.0.1
// standing in for a public host; every other private form must be refused at save time.
describe.each(testDbKinds())('hostile monitor targets on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => (t = await openTestDb(kind)));
  afterEach(() => t.close());

  const guarded = () => buildApp(t.db, { BLOCK_PRIVATE_TARGETS: '1', ALLOWED_PRIVATE_TARGETS: '127.0.0.1/32' });
  const count = async () => (await t.db.selectFrom('monitors').select('id').execute()).length;

  it.each<Record<string, string>>([
    { type: 'tcp', host: '::1', port: '22' },
    { type: 'tcp', host: '127.0.0.2', port: '22' },
    { type: 'tcp', host: '::127.0.0.1', port: '22' },
    { type: 'tcp', host: '[2002:7f00:1::]', port: '22' },
    { type: 'tls', host: '::ffff:127.0.0.2' },
    { type: 'tls', host: '64:ff9b::a9fe:a9fe' },
    { type: 'ping', host: '::1' },
    { type: 'ping', host: 'fec0::1' },
    { type: 'dns', host: 'example.com', resolver: '::1' },
    { type: 'dns', host: 'example.com', resolver: '0:0:0:0:0:0:0:1' },
    { type: 'http', url: 'http://localhost./' },
    { type: 'http', url: 'http://app.localhost/' },
    { type: 'http', url: 'http://[::ffff:7f00:2]/' },
    { type: 'http', url: 'http://192.0.2.1/' },
    { type: 'http', url: 'http://100.64.0.1/' },
  ])('refuses %o with a 422 and a field error, never a 500', async (fields) => {
    const owner = await persona(guarded().app, 'owner');
    const res = await owner.post('/monitors', { name: 'x', interval_seconds: '60', ...fields });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/private or reserved|localhost is not allowed/);
    expect(await count()).toBe(0);
  });

  it('saves the allowed stand-in and shows IPv6 targets bracketed', async () => {
    const owner = await persona(guarded().app, 'owner');
    expect((await owner.post('/monitors', { name: 'ok', type: 'tcp', host: '127.0.0.1', port: '22', interval_seconds: '60' })).status).toBe(303);
    const open = await persona(buildApp(t.db).app, 'self');
    expect((await open.post('/monitors', { name: 'v6', type: 'tcp', host: '::1', port: '22', interval_seconds: '60' })).status).toBe(303);
    const urls = (await t.db.selectFrom('monitors').select('url').orderBy('id').execute()).map((r) => r.url);
    expect(urls).toEqual(['tcp://127.0.0.1:22', 'tcp://[::1]:22']);
  });

  it('the API refuses the same targets as JSON 422 and a bad resolver port', async () => {
    const built = guarded();
    const owner = await persona(built.app, 'owner');
    const api = apiClient(built.app, await createKeyVia(owner));
    for (const body of [
      { name: 'x', interval_seconds: 60, type: 'tcp', host: '::1', port: 22 },
      { name: 'x', interval_seconds: 60, type: 'ping', host: '::ffff:127.0.0.2' },
      { name: 'x', interval_seconds: 60, type: 'dns', host: 'example.com', resolver: '1.1.1.1:99999' },
      { name: 'x', interval_seconds: 60, type: 'tcp', host: '1:2:3', port: 22 },
    ]) {
      const r = await api.post('/monitors', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.json.error.code).toBe('validation_failed');
    }
    expect(await count()).toBe(0);
  });
});
