import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, monitorForm, persona } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';

const HSTS = 'max-age=31536000; includeSubDomains';

describe.each(testDbKinds())('Strict-Transport-Security on %s', (kind) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb(kind);
  });
  afterEach(() => t.close());

  /** Answers of every sort: pages, a cached status page, JSON, static files, 404, 413, API. */
  async function answers(baseUrl: string): Promise<Map<string, Response>> {
    const { app } = buildApp(t.db, { BASE_URL: baseUrl });
    const owner = await persona(app, 'owner');
    const slug = (await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const out = new Map<string, Response>();
    out.set('login page', await app.request('/login'));
    out.set('dashboard', await owner.get('/dashboard'));
    out.set('redirect', await owner.post('/monitors', monitorForm()));
    out.set('status page', await app.request(`/s/${slug}`));
    out.set('status page again (cached)', await app.request(`/s/${slug}`));
    out.set('status JSON', await app.request(`/s/${slug}/api`));
    out.set('static file', await app.request('/static/app.css'));
    out.set('not found', await app.request('/no-such-page'));
    out.set('too large', await owner.post('/monitors', monitorForm({ keyword: 'x'.repeat(70_000) })));
    out.set('API', await app.request('/api/v1/openapi.json'));
    out.set('API error', await app.request('/api/v1/monitors'));
    out.set('health', await app.request('/healthz'));
    return out;
  }

  it('is sent on every answer when BASE_URL is https', async () => {
    for (const [what, res] of await answers('https://status.example.com')) {
      expect(res.headers.get('strict-transport-security'), what).toBe(HSTS);
    }
  });

  it('is not sent when BASE_URL is plain http', async () => {
    for (const [what, res] of await answers('http://localhost:3000')) {
      expect(res.status, what).toBeLessThan(500);
      expect(res.headers.get('strict-transport-security'), what).toBeNull();
    }
  });
});
