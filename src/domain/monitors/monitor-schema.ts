import { z } from 'zod';
import { type AnyCheckType, type CheckTypeRegistry, settingDefaults, settingNames, settingsJsonSchema } from '../checks/probes/registry.ts';
import { monitorInputSchema } from './monitors.ts';

/*
 * The monitor contract as JSON Schema: the common fields and every registered type's
 * settings, flat as the API takes them. The API's request bodies and the OpenAPI document
 * are this (and the config file will be); parseMonitorInput enforces it.
 */

type Json = Record<string, unknown>;

const WRITE_ONLY = 'Write-only: never returned; empty or left out keeps the current one';

/** One setting documented across the types that have it: "tcp, tls: Port (default: tls 443)". */
function settingSchema(key: string, defs: AnyCheckType[]): Json {
  const schemas = defs.map((d) => settingsJsonSchema(d).properties[key] ?? {});
  const { default: _, description: __, ...first } = schemas[0]!;
  const defaults = defs.flatMap((d) => {
    const v = settingDefaults(d)[key];
    return v === undefined || v === '' ? [] : [`${defs.length > 1 ? `${d.type} ` : ''}${JSON.stringify(v)}`];
  });
  const spec = defs.map((d) => d.fields[key]).find(Boolean);
  const notes = [
    spec?.label ?? key,
    spec?.help,
    defaults.length ? `Default ${defaults.join(', ')}` : '',
    defs.some((d) => d.secrets.includes(key)) ? WRITE_ONLY : '',
    defs.some((d) => d.partlySecret?.[key]) ? 'Secret parts are returned blank and, sent back blank, keep their values' : '',
  ].filter((n): n is string => !!n);
  return { ...first, description: `${defs.map((d) => d.type).join(', ')}: ${notes.map((n) => n.replace(/\.$/, '')).join('. ')}` };
}

/** Each setting name with the types that have it, in registration order. */
function settingOwners(types: CheckTypeRegistry): Map<string, AnyCheckType[]> {
  const owners = new Map<string, AnyCheckType[]>();
  for (const def of types.list) for (const k of settingNames(def)) owners.set(k, [...(owners.get(k) ?? []), def]);
  return owners;
}

/**
 * The fields of a monitor as an API client sends them. `create` requires what a new monitor
 * needs; `patch` requires nothing (a field left out keeps its value, null clears it).
 */
export function monitorInputJsonSchema(types: CheckTypeRegistry, mode: 'create' | 'patch'): Json {
  const common = z.toJSONSchema(monitorInputSchema, { io: 'input', unrepresentable: 'any' }) as Json;
  const labels = types.list.map((d) => `${d.type} (${d.label})`).join(', ');
  const properties: Record<string, Json> = {
    type: { type: 'string', enum: [...types.names], description: `Check type, default ${types.names[0]}: ${labels}${mode === 'patch' ? '; cannot change' : ''}` },
    ...(common.properties as Record<string, Json>),
  };
  for (const [key, defs] of settingOwners(types)) properties[key] ??= settingSchema(key, defs);
  return { type: 'object', properties, ...(mode === 'create' ? { required: common.required ?? [] } : {}), additionalProperties: false };
}
