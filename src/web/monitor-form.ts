import type { FieldSpec } from '../domain/checks/probes/contract.ts';
import type { AnyCheckType, CheckTypeRegistry, Settings } from '../domain/checks/probes/registry.ts';
import { settingDefaults } from '../domain/checks/probes/registry.ts';
import { visibleSettings, withoutSecrets } from '../domain/monitors/monitor-secrets.ts';
import type { Monitor } from '../domain/monitors/monitors.ts';

// View-models of the monitor form: the type's fields come from its definition, so the
// generic partial (views/partials/monitors/type-fields.eta) renders any registered type.

export interface FieldView extends FieldSpec {
  name: string;
  /** Raw attributes for the input: only numbers and fixed words, never user text. */
  attrs: string;
  /** Takes the grid's full width (text areas). */
  wide: boolean;
}

export interface TypeFormView {
  type: string;
  description: string;
  /** A dedicated partial under views/partials/monitors/types/, or null for the generic fields. */
  partial: string | null;
  /** false for push types: no timeout, retries or slow threshold. */
  probed: boolean;
  fields: FieldView[];
}

function attrsOf(spec: FieldSpec): string {
  const a = [spec.required ? ' required' : '', spec.min !== undefined ? ` min="${Number(spec.min)}"` : '', spec.max !== undefined ? ` max="${Number(spec.max)}"` : ''];
  if (spec.input === 'secret') a.push(' autocomplete="new-password"');
  return a.join('');
}

export function typeFormView(def: AnyCheckType): TypeFormView {
  const fields = Object.entries(def.fields as Record<string, FieldSpec>).map(([name, spec]) => ({ ...spec, name, attrs: attrsOf(spec), wide: spec.input === 'textarea' }));
  return { type: def.type, description: def.description, partial: def.partial ?? null, probed: def.probed, fields };
}

/** A setting as an input shows it: lists comma-separated, numbers and flags as text. */
function shown(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function shownAll(settings: Settings): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, shown(v)]));
}

/** The chosen type for a form, or the first registered one. */
export function chosenType(types: CheckTypeRegistry, type: string | undefined): AnyCheckType {
  return types.get(type ?? '') ?? types.list[0]!;
}

/**
 * Values for the monitor form: from a failed submission (as typed), from a monitor, or the
 * type's defaults. Credentials are never among them (write-only, see monitor-secrets.ts).
 */
export function monitorFormValues(types: CheckTypeRegistry, o: { m?: Monitor; submitted?: Record<string, string>; type?: string; minInterval: number }) {
  const def = chosenType(types, o.m?.type ?? o.submitted?.type ?? o.type);
  if (o.submitted) return { ...withoutSecrets(def, o.submitted), type: def.type, is_public: o.submitted.is_public === 'on' || o.submitted.is_public === 'true' };
  const m = o.m;
  return {
    ...shownAll(m ? visibleSettings(def, m.settings) : settingDefaults(def)),
    type: def.type,
    name: m?.name ?? '',
    retries: String(m?.retries ?? 1),
    degraded_ms: m?.degradedMs ? String(m.degradedMs) : '',
    timeout_seconds: String(m ? m.timeoutMs / 1000 : 10),
    interval_seconds: String(m?.intervalSeconds ?? Math.max(60, o.minInterval)),
    is_public: m ? m.isPublic : true,
    failure_threshold: String(m?.failureThreshold ?? 3),
    reminder_hours: m?.reminderHours ? String(m.reminderHours) : '',
  };
}
