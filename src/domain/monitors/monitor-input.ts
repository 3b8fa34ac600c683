import { ValidationError } from '../../lib/errors.ts';
import { parseInput } from '../../lib/validate.ts';
import { CHECK_TYPES } from '../checks/probes/index.ts';
import { type AnyCheckType, type CheckTypeRegistry, parseSettings, settingNames, type Settings } from '../checks/probes/registry.ts';
import { MONITOR_FIELDS, type MonitorInput, monitorInputSchema } from './monitors.ts';

// Validation of a whole monitor of any type: the common fields (monitors.ts) and the type's
// settings (its definition under checks/probes/), for forms and the API alike.

export { hostProblem } from '../checks/probes/fields.ts';

export interface ParsedMonitor extends MonitorInput {
  type: string;
  /** The type's settings, typed and with their defaults. */
  settings: Settings;
  /** The type's target(), kept in the url column for lists, alerts and status pages. */
  url: string;
}

export interface ParseOptions {
  types?: CheckTypeRegistry;
  /** API input: a key that is neither a common field nor one of the type's settings is refused (forms carry extras such as _csrf). */
  strict?: boolean;
}

/** "HTTP(S), TCP port … or Browser journey" */
function typeList(types: CheckTypeRegistry): string {
  const labels = types.list.map((d) => d.label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}` : labels[0]!;
}

/** The type an input names; none given means the first registered type (HTTP). */
export function typeOfInput(raw: Record<string, unknown>, types: CheckTypeRegistry = CHECK_TYPES): AnyCheckType {
  const type = raw.type === undefined || raw.type === '' ? types.names[0] : raw.type;
  const def = typeof type === 'string' ? types.get(type) : undefined;
  if (!def) throw new ValidationError(`Choose a monitor type: ${typeList(types)}`, { type: 'Choose a monitor type' });
  return def;
}

function commonFields(raw: Record<string, unknown>): { input?: MonitorInput; fields: Record<string, string> } {
  try {
    return { input: parseInput(monitorInputSchema, raw), fields: {} };
  } catch (err) {
    if (err instanceof ValidationError) return { fields: err.fields };
    throw err;
  }
}

function unknownKeys(raw: Record<string, unknown>, def: AnyCheckType): Record<string, string> {
  const known = new Set(['type', ...MONITOR_FIELDS, ...settingNames(def)]);
  return Object.fromEntries(Object.keys(raw).filter((k) => !known.has(k)).map((k) => [k, `Not a field of ${def.label} monitors`]));
}

/**
 * Validates a monitor of any type. The common fields and the type's settings are checked
 * together so a form shows every problem at once.
 */
export function parseMonitorInput(raw: unknown, opts: ParseOptions = {}): ParsedMonitor {
  const r = (raw ?? {}) as Record<string, unknown>;
  const def = typeOfInput(r, opts.types);
  const common = commonFields(r);
  const own = parseSettings(def, r);
  const errors = { ...common.fields, ...('fields' in own ? own.fields : {}), ...(opts.strict ? unknownKeys(r, def) : {}) };
  if (Object.keys(errors).length || !common.input || !('settings' in own)) {
    throw new ValidationError(Object.keys(errors).length > 1 ? 'Please fix the highlighted fields' : (Object.values(errors)[0] ?? 'Invalid input'), errors);
  }
  return { ...common.input, type: def.type, settings: own.settings, url: def.target(own.settings) };
}
