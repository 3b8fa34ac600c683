import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheckType, failed } from '../../src/domain/checks/probes/contract.ts';
import { hostname, whole } from '../../src/domain/checks/probes/fields.ts';
import { http } from '../../src/domain/checks/probes/http.ts';
import { CHECK_TYPES, probe } from '../../src/domain/checks/probes/index.ts';
import { createRegistry, settingDefaults } from '../../src/domain/checks/probes/registry.ts';
import { parseMonitorInput } from '../../src/domain/monitors/monitor-input.ts';
import { monitorInputJsonSchema } from '../../src/domain/monitors/monitor-schema.ts';
import { keepStoredSecrets, savedSecrets, visibleSettings } from '../../src/domain/monitors/monitor-secrets.ts';
import { targetRefusal } from '../../src/domain/monitors/monitors.service.ts';
import { ValidationError } from '../../src/lib/errors.ts';
import { NetGuard, OPEN_GUARD } from '../../src/lib/net-guard.ts';
import { projectRoot } from '../../src/lib/paths.ts';
import { monitorRoutesFor } from '../../src/web/api/monitors.ts';
import { buildOpenApi } from '../../src/web/api/openapi.ts';
import { typeFormView } from '../../src/web/monitor-form.ts';
import { createEta } from '../../src/web/render.ts';

// Adding a check type is its definition and one registry entry: a made-up type in a fresh
// registry reaches validation, the form, the API schema and OpenAPI, and the probe dispatch.

const echo = defineCheckType({
  type: 'echo',
  label: 'Echo server',
  description: 'Sends a line and expects it back.',
  settings: z.object({
    host: hostname,
    repeat: whole(1, 5, 'Between 1 and 5 times').default(2),
    mode: z.enum(['line', 'word']).default('line'),
    token: z.string().max(100, 'Token too long').default(''),
  }),
  fields: {
    host: { label: 'Echo host', input: 'text', required: true },
    repeat: { label: 'Repeats', input: 'number', min: 1, max: 5 },
    mode: { label: 'Mode', input: 'select', options: ['line', 'word'] },
    token: { label: 'Token', input: 'secret' },
  },
  secrets: ['token'],
  probed: true,
  target: (s) => `echo://${s.host}`,
  hosts: (s) => [s.host],
  run: async (s, ctx) => failed(`echoed ${s.repeat}× in ${ctx.timeoutMs} ms`),
});
const types = createRegistry([http, echo]);
const input = { type: 'echo', name: 'Echo', interval_seconds: '60', host: 'echo.example.com', repeat: '3', token: 't0ken' };

describe('a check type added to a registry', () => {
  it('validates with its own schema, typed, and stores its target', () => {
    const m = parseMonitorInput(input, { types });
    expect(m).toMatchObject({ type: 'echo', url: 'echo://echo.example.com', settings: { host: 'echo.example.com', repeat: 3, mode: 'line', token: 't0ken' } });
    try {
      parseMonitorInput({ ...input, repeat: '9', mode: 'shout', name: '' }, { types });
      expect.fail('should throw');
    } catch (err) {
      expect((err as ValidationError).fields).toMatchObject({ name: 'Give the monitor a name', repeat: 'Between 1 and 5 times', mode: expect.any(String) });
    }
    // The built-in registry does not know it.
    expect(() => parseMonitorInput(input)).toThrow(/Choose a monitor type/);
    expect(() => parseMonitorInput({ ...input, type: 'nope' }, { types })).toThrow('Choose a monitor type: HTTP(S) or Echo server');
  });

  it('keeps its secret write-only and guards its hosts', () => {
    const { settings } = parseMonitorInput(input, { types });
    expect(visibleSettings(echo, settings)).toEqual({ host: 'echo.example.com', repeat: 3, mode: 'line' });
    expect(savedSecrets(echo, settings)).toEqual({ token: true });
    expect(keepStoredSecrets(echo, { token: '' }, settings)).toEqual({ token: 't0ken' });
    const m = parseMonitorInput({ ...input, host: '10.0.0.1' }, { types });
    expect(targetRefusal(m, new NetGuard({ block: true }), undefined, types)).toEqual({ field: 'host', message: expect.stringMatching(/private or reserved/) });
  });

  it('its form fields render from the definition, with defaults', async () => {
    const view = typeFormView(echo);
    expect(view.fields.map((f) => [f.name, f.input])).toEqual([['host', 'text'], ['repeat', 'number'], ['mode', 'select'], ['token', 'secret']]);
    expect(settingDefaults(echo)).toEqual({ repeat: 2, mode: 'line', token: '' });
    const html = createEta(false).render('partials/monitors/type-fields', { values: { host: 'a.example', repeat: '2', mode: 'word', token: 'never-shown' }, fields: { repeat: 'Between 1 and 5 times' }, typeForm: view, saved: { token: true } });
    expect(html).toContain('for="f-host">Echo host</label>');
    expect(html).toContain('name="repeat" type="number" value="2" min="1" max="5"');
    expect(html).toContain('<option value="word" selected>word</option>');
    expect(html).toContain('name="token" type="password" value="" placeholder="saved — leave empty to keep"');
    expect(html).not.toContain('never-shown');
    expect(html).toContain('<p class="field-error" id="e-repeat">Between 1 and 5 times</p>');
  });

  it('appears in the API schema and the OpenAPI document', () => {
    const body = monitorInputJsonSchema(types, 'create') as { properties: Record<string, { description?: string; enum?: string[] }> };
    expect(body.properties.type!.enum).toEqual(['http', 'echo']);
    expect(body.properties.repeat).toMatchObject({ type: 'integer', minimum: 1, maximum: 5, description: 'echo: Repeats. Default 2' });
    expect(body.properties.token!.description).toMatch(/^echo: Token\. Write-only/);
    const doc = buildOpenApi(monitorRoutesFor(types), 'http://x.test/api/v1') as { paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: { properties: object } } } }; responses: Record<string, { content?: { 'application/json': { schema: { properties: { type: { enum: string[] } } } } } }> }>> };
    const create = doc.paths['/monitors']!.post!;
    expect(Object.keys(create.requestBody!.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['host', 'repeat', 'mode', 'token', 'url']));
    expect(create.responses['201']!.content!['application/json'].schema.properties.type.enum).toEqual(['http', 'echo']);
  });

  it('is what probe() runs', async () => {
    const m = parseMonitorInput(input, { types });
    expect((await probe({ type: 'echo', settings: m.settings, timeoutMs: 5000 }, { guard: OPEN_GUARD }, types)).error).toBe('echoed 3× in 5000 ms');
    expect((await probe({ type: 'echo', settings: m.settings, timeoutMs: 5000 }, { guard: OPEN_GUARD })).error).toMatch(/Unknown check type "echo"/);
  });

  it('a registry refuses two types of one name and secrets that are not fields', () => {
    expect(() => createRegistry([echo, echo])).toThrow(/same name/);
    expect(() => createRegistry([{ ...echo, secrets: ['password'] as never }])).toThrow(/password/);
  });
});

describe('README monitor types', () => {
  it('names every registered type with its label, and no other', () => {
    const readme = readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^ {2}- \*\*(.+?)\*\* \(`([a-z0-9_-]+)`\)/gm)].map((m) => [m[2], m[1]]);
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(listed.sort(byName)).toEqual(CHECK_TYPES.list.map((d) => [d.type, d.label]).sort(byName));
  });
});
