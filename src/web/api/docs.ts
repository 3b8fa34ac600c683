import { Hono } from 'hono';
import { API_RATE } from '../../domain/apikeys/apikeys.ts';
import type { AppEnv } from '../deps.ts';
import { html } from '../render.ts';
import { API_BASE, documentedRoutes } from './app.ts';
import { ERROR_STATUSES, errorStatusesOf, jsonSchema, parametersOf } from './openapi.ts';
import { type ApiRoute, openApiPath } from './registry.ts';

type Json = Record<string, unknown>;
export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

function typeOf(s: Json): string {
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join(' | ');
  const t = Array.isArray(s.type) ? (s.type as string[]).join(' | ') : typeof s.type === 'string' ? s.type : 'any';
  if (t === 'array' && s.items) return `${typeOf(s.items as Json)}[]`;
  return t;
}

/** A schema's fields as table rows, descending into objects and arrays of objects two levels deep. */
export function fieldRows(schema: Json, prefix = '', depth = 0): FieldRow[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows: FieldRow[] = [];
  for (const [name, s0] of Object.entries(props)) {
    // Nullable objects come as anyOf [object, null]: describe the object.
    const s = Array.isArray(s0.anyOf) ? ((s0.anyOf as Json[]).find((x) => x.type === 'object' || x.type === 'array') ?? s0) : s0;
    const nullable = Array.isArray(s0.anyOf) && (s0.anyOf as Json[]).some((x) => x.type === 'null');
    const full = `${prefix}${name}`;
    rows.push({ name: full, type: typeOf(s0), required: required.has(name), description: String(s0.description ?? s.description ?? '') + (nullable && s !== s0 ? ' (or null)' : '') });
    if (depth < 2 && s.type === 'object' && s.properties) rows.push(...fieldRows(s, `${full}.`, depth + 1));
    const items = s.items as Json | undefined;
    if (depth < 2 && s.type === 'array' && items?.type === 'object') rows.push(...fieldRows(items, `${full}[].`, depth + 1));
  }
  return rows;
}

function curlFor(r: ApiRoute, baseUrl: string): string {
  const path = openApiPath(r.path).replace(/\{[^}]+\}/g, '1');
  const lines = [`curl -sS${r.method === 'get' ? '' : ` -X ${r.method.toUpperCase()}`} '${baseUrl}${API_BASE}${path}'`];
  if (r.access !== 'public') lines.push(`  -H "Authorization: Bearer $STATUSPING_API_KEY"`);
  if (r.body) {
    lines.push(`  -H 'Content-Type: application/json'`);
    lines.push(`  -d '${JSON.stringify(r.example ?? {})}'`);
  }
  return lines.join(' \\\n');
}

/** What the reference page shows for each operation. */
export function operationsView(baseUrl: string) {
  return documentedRoutes().map((r) => ({
    id: r.operationId,
    method: r.method.toUpperCase(),
    path: `${API_BASE}${openApiPath(r.path)}`,
    tag: r.tag,
    access: r.access,
    summary: r.summary,
    description: r.description ?? '',
    parameters: parametersOf(r).map((p) => ({ name: p.name, in: p.in, required: p.required, type: typeOf(p.schema), description: p.description ?? '' })),
    body: r.body ? fieldRows(jsonSchema(r.body, 'input')) : null,
    status: r.status ?? 200,
    response: r.response ? fieldRows(jsonSchema(r.response, 'output')) : null,
    errors: errorStatusesOf(r).map((s) => ({ status: s, meaning: ERROR_STATUSES[s] })),
    curl: curlFor(r, baseUrl),
  }));
}

/** Public, server-rendered API reference built from the same route list as the OpenAPI document. */
export const apiDocsRoutes = new Hono<AppEnv>().get('/docs/api', (c) => {
  const baseUrl = c.get('deps').config.baseUrl;
  const operations = operationsView(baseUrl);
  const tags = [...new Set(operations.map((o) => o.tag))].map((tag) => ({ tag, operations: operations.filter((o) => o.tag === tag) }));
  return html(c, 'pages/api/reference', { tags, baseUrl, apiBase: API_BASE, rates: API_RATE, errorStatuses: ERROR_STATUSES });
});
