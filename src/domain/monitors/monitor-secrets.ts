import type { AnyCheckType, Settings } from '../checks/probes/registry.ts';

// Monitor credentials are write-only, as alert channel credentials are (alerts.ts
// SECRET_FIELDS): once saved they are never shown again, on a form or through the API, and
// an update that leaves one blank keeps the stored value. Which settings are credentials is
// the type's to say: `secrets` (whole values) and `partlySecret` (HTTP's secret headers).

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function partsOf(def: AnyCheckType | undefined): Array<[string, NonNullable<AnyCheckType['partlySecret']>[string]]> {
  return Object.entries(def?.partlySecret ?? {});
}

/** Settings (or a submitted form) as a form or API client may see them: no credentials, secret parts hidden. */
export function visibleSettings<T extends Settings>(def: AnyCheckType | undefined, settings: T): T {
  const out: Settings = { ...settings };
  for (const k of def?.secrets ?? []) delete out[k];
  for (const [k, part] of partsOf(def)) if (typeof out[k] === 'string') out[k] = part!.hide(out[k] as string);
  return out as T;
}

/** A submitted form shown again after an error: what was typed, except credentials. */
export const withoutSecrets = visibleSettings;

/** What is stored and hidden, so a form can say "saved — leave empty to keep": a flag per secret, names per partly secret setting. */
export function savedSecrets(def: AnyCheckType | undefined, settings: Settings): Record<string, boolean | string[]> {
  const out: Record<string, boolean | string[]> = {};
  for (const k of def?.secrets ?? []) out[k] = !blank(settings[k]);
  for (const [k, part] of partsOf(def)) out[k] = typeof settings[k] === 'string' ? part!.saved(settings[k] as string) : [];
  return out;
}

/**
 * An update's input with the stored credentials put back where it leaves them blank:
 * 1. a blank secret keeps the stored one (the type's schema drops a credential its other
 *    settings no longer use, e.g. HTTP's password once Authentication is None);
 * 2. a partly secret setting keeps the stored parts left blank (a header sent as "X-Api-Key:").
 */
export function keepStoredSecrets(def: AnyCheckType | undefined, raw: Record<string, unknown>, stored: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const k of def?.secrets ?? []) if (blank(raw[k]) && !blank(stored[k])) out[k] = stored[k];
  for (const [k, part] of partsOf(def)) {
    if (typeof raw[k] === 'string' && typeof stored[k] === 'string') out[k] = part!.keep(raw[k] as string, stored[k] as string);
  }
  return out;
}
