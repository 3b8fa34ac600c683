import { z } from 'zod';
import type { CheckTypeDefinition, NamedHost } from './contract.ts';

/*
 * A registry is built from a list of definitions (probes/index.ts holds the built-in one);
 * everything that needs the types takes a registry, so a test can build its own.
 */

// Settings types differ per definition; the registry holds them erased and each
// definition's own functions see its typed settings.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCheckType = CheckTypeDefinition<any>;
export type Settings = Record<string, unknown>;
type Json = Record<string, unknown>;

export interface CheckTypeRegistry {
  /** In the type chooser's order. */
  readonly list: readonly AnyCheckType[];
  readonly names: readonly [string, ...string[]];
  get(type: string): AnyCheckType | undefined;
}

export function createRegistry(defs: readonly AnyCheckType[]): CheckTypeRegistry {
  const byType = new Map(defs.map((d) => [d.type, d]));
  if (defs.length === 0) throw new Error('A registry needs at least one check type');
  if (byType.size !== defs.length) throw new Error('Two check types have the same name');
  for (const d of defs) {
    const unknown = d.secrets.filter((k) => !(k in d.fields));
    if (unknown.length) throw new Error(`${d.type}: secrets ${unknown.join(', ')} are not fields`);
  }
  return { list: defs, names: defs.map((d) => d.type) as [string, ...string[]], get: (type) => byType.get(type) };
}

const jsonCache = new WeakMap<AnyCheckType, { properties: Record<string, Json>; required: string[] }>();

/** The JSON Schema of a type's settings as given (input side): types, limits and defaults per field. */
export function settingsJsonSchema(def: AnyCheckType): { properties: Record<string, Json>; required: string[] } {
  let s = jsonCache.get(def);
  if (!s) {
    const js = z.toJSONSchema(def.settings, { io: 'input', unrepresentable: 'any' }) as Json;
    s = { properties: (js.properties ?? {}) as Record<string, Json>, required: (js.required ?? []) as string[] };
    jsonCache.set(def, s);
  }
  return s;
}

/** The setting names of a type, in form order (fields first, then any other key of its schema). */
export function settingNames(def: AnyCheckType): string[] {
  return [...new Set([...Object.keys(def.fields), ...Object.keys(settingsJsonSchema(def).properties)])];
}

/** The object schema inside a type's settings (under its refinements and transforms), if it is one. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let s: unknown = schema;
  while (s instanceof z.ZodPipe) s = s.in;
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : {};
}

/** The defaults a new monitor of this type starts with: each setting's value when not given. */
export function settingDefaults(def: AnyCheckType): Settings {
  const out: Settings = {};
  for (const [k, field] of Object.entries(objectShape(def.settings))) {
    const r = field.safeParse(undefined);
    if (r.success && r.data !== undefined) out[k] = r.data;
  }
  return out;
}

const isBlank = (v: unknown) => typeof v === 'string' && v.trim() === '';

/** The type's settings out of a flat input (form or API): its own keys, blank ones left out. */
export function settingsInput(def: AnyCheckType, raw: Record<string, unknown>): Settings {
  const out: Settings = {};
  for (const k of settingNames(def)) if (raw[k] !== undefined && raw[k] !== null && !isBlank(raw[k])) out[k] = raw[k];
  return out;
}

/** Validates a type's settings: the typed values, or a message per field. */
export function parseSettings(def: AnyCheckType, raw: Record<string, unknown>): { settings: Settings } | { fields: Record<string, string> } {
  const r = def.settings.safeParse(settingsInput(def, raw));
  if (r.success) return { settings: r.data as Settings };
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) fields[issue.path.length ? String(issue.path[0]) : '_'] ??= issue.message;
  return { fields };
}

/**
 * Settings as stored, read back through the type's schema, so rows written before settings
 * were typed ("5432", "true") load as numbers and booleans. `columns` fill settings the JSON
 * lacks (HTTP rows kept url, method, expected status and keyword only in their columns). A
 * row the schema refuses (a rule tightened since) is returned as stored rather than lost.
 */
export function readStoredSettings(def: AnyCheckType | undefined, stored: Settings, columns: Settings = {}): Settings {
  if (!def) return stored;
  const names = new Set(settingNames(def));
  const filled = { ...Object.fromEntries(Object.entries(columns).filter(([k, v]) => names.has(k) && v !== null)), ...stored };
  const r = parseSettings(def, filled);
  return 'settings' in r ? r.settings : filled;
}

/** The hosts a monitor connects to, each with the field that named it. */
export function namedHosts(def: AnyCheckType, settings: Settings): NamedHost[] {
  const first = Object.keys(def.fields)[0] ?? '_';
  return def.hosts(settings).map((h) => (typeof h === 'string' ? { host: h, field: first } : h));
}
