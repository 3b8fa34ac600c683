import { describe, expect, it } from 'vitest';
import { apiClient, createKeyVia } from '../helpers/api.ts';
import { buildApp, createMonitorVia, persona } from '../helpers/app.ts';
import { openTestDb } from '../helpers/db.ts';
import { CHANNELS } from '../../src/domain/alerts/alerts.ts';

// Every route, as a signed-in owner and as an API key, fed hostile values in every field a
// form or JSON body could carry and in every path parameter: the answer may be any 2xx, 3xx
// or 4xx, never a 5xx. (The security review's rule: nothing answers 500 to hostile input.)

const FIELDS = [
  'name', 'title', 'url', 'email', 'password', 'new_password', 'current_password', 'organization', 'type', 'host', 'port', 'interval_seconds', 'timeout_seconds',
  'failure_threshold', 'retries', 'degraded_ms', 'reminder_hours', 'is_public', 'method', 'expected_status', 'keyword', 'headers', 'auth_type', 'auth_user',
  'auth_pass', 'auth_token', 'body', 'message', 'status', 'state', 'slug', 'description', 'footer', 'kind', 'config', 'steps', 'resolver', 'record_type', 'expected',
  'warn_days', 'count', 'max_loss', 'cron', 'timezone', 'grace_seconds', 'starts_at', 'ends_at', 'duration_minutes', 'monitor_ids', 'monitor_id', 'component_ids',
  'group_id', 'impact', 'role', 'scope', 'plan', 'domain', 'accent', 'theme', 'bar_days', 'address', 'token', 'sig', 'next', 'back', 'confirm', 'month', 'target',
  'webhook_url', 'chat_id', 'bot_token', 'routing_key', 'topic', 'server', 'channels', 'default', 'postmortem', 'template_id', 'visibility', 'page_password', 'account_id',
];
// Every alert channel's settings too, from the registry, so a new channel's fields are fed hostile values as well.
FIELDS.push(...new Set(CHANNELS.flatMap((c) => c.fields.map((f) => f.name)).filter((f) => !FIELDS.includes(f))));
const VALUES = ['', '\u0000', 'a\u202eb\u0007', 'x'.repeat(20_000), '-1', '1e309', 'NaN', '99999999999999999999', '::1', '[::1]:0', '<script>alert(1)</script>', '../../etc/passwd', '%00%ff', '{"a":[[[[1]]]]}', 'on'];
const PARAMS = ['1', '0', '-5', '99999999999999999999999', 'abc', "1'--", '%E0%A4%A'];
const SKIP_UNTIL_END = /^(\/logout|\/settings\/logout-everywhere|\/settings\/delete-account|\/settings\/members\/leave|\/settings\/password|\/settings\/email|\/account\/switch)$/;

function fill(path: string, p: string, slug: string): string {
  return path
    .replace(/:slug/g, slug)
    .replace(/:action\{[^}]+\}/g, 'check')
    .replace(/:dir\{[^}]+\}/g, 'up')
    .replace(/:kind\{[^}]+\}/g, 'status.svg')
    .replace(/:[A-Za-z]+/g, p);
}

describe('hostile input never answers 5xx', () => {
  it('on every form route and page, signed in', async () => {
    const t = await openTestDb('sqlite');
    try {
      const { app } = buildApp(t.db, { BLOCK_PRIVATE_TARGETS: '1' });
      const owner = await persona(app, 'owner');
      await createMonitorVia(owner);
      const slug = (await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
      const routes = app.routes.filter((r) => r.method !== 'ALL' && !r.path.startsWith('/api/'));
      const ordered = [...routes.filter((r) => !SKIP_UNTIL_END.test(r.path)), ...routes.filter((r) => SKIP_UNTIL_END.test(r.path))];
      const failures: string[] = [];
      for (const r of ordered) {
        for (const [i, value] of VALUES.entries()) {
          const path = fill(r.path, PARAMS[i % PARAMS.length]!, i % 3 === 0 ? slug : PARAMS[i % PARAMS.length]!);
          const query = `?next=${encodeURIComponent(value)}&month=${encodeURIComponent(value)}&period=${encodeURIComponent(value)}&page=${encodeURIComponent(value)}&q=${encodeURIComponent(value)}`;
          const res =
            r.method === 'GET' || r.method === 'HEAD' ? await owner.get(path + (i % 2 ? query : ''))
            : await owner.post(path, Object.fromEntries(FIELDS.map((f) => [f, value])), { 'hx-request': i % 4 === 1 ? 'true' : 'false' });
          if (res.status >= 500) failures.push(`${r.method} ${path} with ${JSON.stringify(value.slice(0, 30))}: ${res.status}`);
        }
      }
      expect(failures).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('on every API route, with any JSON (or not JSON at all)', async () => {
    const t = await openTestDb('sqlite');
    try {
      const { app } = buildApp(t.db, { BLOCK_PRIVATE_TARGETS: '1' });
      const owner = await persona(app, 'owner');
      await createMonitorVia(owner);
      const api = apiClient(app, await createKeyVia(owner));
      const bodies: unknown[] = [
        '{not json', '[]', 'null', '"text"', '12', {}, { name: null }, { name: 5, interval_seconds: '60' }, { name: 'x'.repeat(5000), interval_seconds: 1e308 },
        Object.fromEntries(FIELDS.map((f) => [f, '\u0000\u202e'])), Object.fromEntries(FIELDS.map((f) => [f, [{ a: 1 }]])), Object.fromEntries(FIELDS.map((f) => [f, -1])),
        { name: 'v6', interval_seconds: 60, type: 'tcp', host: '::1', port: 70000 }, { type: '__proto__', constructor: { prototype: { x: 1 } } },
      ];
      const failures: string[] = [];
      for (const r of app.routes.filter((x) => x.method !== 'ALL' && x.path.startsWith('/api/v1/'))) {
        for (const [i, body] of bodies.entries()) {
          const path = fill(r.path, PARAMS[i % PARAMS.length]!, 'x').replace(/^\/api\/v1/, '');
          const query = i % 2 ? `?limit=${encodeURIComponent('-1e9')}&cursor=${encodeURIComponent('\u0000')}&from=${encodeURIComponent('x')}&month=13` : '';
          const res = await api.call(r.method, path + query, r.method === 'GET' || r.method === 'DELETE' ? undefined : body);
          if (res.status >= 500) failures.push(`${r.method} ${path} with ${JSON.stringify(body).slice(0, 40)}: ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
      expect(failures).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
