import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { useAppPerTest } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';

/** "/api/v1/monitors/:id" → "/monitors/{id}" */
function docPath(honoPath: string): string {
  return honoPath.replace(/^\/api\/v1/, '').replace(/:([A-Za-z_]+)/g, '{$1}');
}

describe.each(testDbKinds())('API documentation on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  async function fetchDoc() {
    const res = await ctx.built.app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('set-cookie')).toBeNull();
    return (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-scope': string; responses: Record<string, unknown>; parameters?: unknown[] }>> };
  }

  it('/api/v1/openapi.json is public and a valid OpenAPI 3.1 document', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('every route under /api/v1 in the app is in the document, and nothing else is', async () => {
    const doc = await fetchDoc();
    const appOps = ctx.built.app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${docPath(r.path)}`);
    const docOps = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(appOps.length).toBeGreaterThanOrEqual(20);
    expect(new Set(appOps).size).toBe(appOps.length);
    expect([...appOps].sort()).toEqual([...docOps].sort());
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        expect(['public', 'read', 'write'], `${m} ${p}`).toContain(op['x-scope']);
        if (m !== 'get') expect(op['x-scope'], `${m} ${p} changes data`).toBe('write');
        if (op['x-scope'] !== 'public') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '429']));
        const names = (p.match(/\{(\w+)\}/g) ?? []).map((s) => s.slice(1, -1));
        for (const n of names) expect(JSON.stringify(op.parameters ?? []), `${m} ${p}`).toContain(`"name":"${n}","in":"path"`);
      }
    }
  });

  it('/docs/api renders every operation with its scope, schemas, errors and a curl example', async () => {
    const doc = await fetchDoc();
    const res = await ctx.built.app.request('/docs/api');
    expect(res.status).toBe(200);
    const html = await res.text();
    const ops = Object.entries(doc.paths).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} /api/v1${p}`));
    const shown = [...html.matchAll(/data-operation="([^"]+)"/g)].map((m) => m[1]);
    expect(shown.sort()).toEqual(ops.sort());
    expect(html).toContain('Scope: <strong>write</strong>');
    expect(html).toContain('Scope: <strong>read</strong>');
    expect(html).toContain('curl -sS -X POST &#39;http');
    expect(html).toContain('Authorization: Bearer $STATUSPING_API_KEY');
    expect(html).toContain('interval_seconds');
    expect(html).toContain('data[].checked_at');
    expect(html).toContain('RateLimit-Remaining');
    expect(html).toContain('{"error":{"code":"validation_failed"');
  });

  it('/docs/api links back into the app and to the API keys page', async () => {
    const html = await (await ctx.built.app.request('/docs/api')).text();
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('<a class="link text-sm" href="/" data-testid="back-to-app">← Back to StatusPing</a>');
    expect(header).toContain('href="/settings/api-keys">API keys</a>');
  });
});
