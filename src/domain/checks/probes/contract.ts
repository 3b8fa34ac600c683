import type { z } from 'zod';
import type { ProbeOptions, ProbeResult } from './probe.ts';
import { bareHost } from './connection-url.ts';

/*
 * The contract every check type implements: one file under probes/ exports one definition,
 * and every other layer (type list, input validation, API schema and OpenAPI, form fields,
 * config-file schema, probe dispatch, docs) reads the registry instead of keeping its own list.
 */

/** How a setting is entered in the form (the form partial renders these generically). */
export type FieldInput = 'text' | 'url' | 'number' | 'select' | 'textarea' | 'secret' | 'list' | 'checkbox';

export interface FieldSpec {
  label: string;
  input: FieldInput;
  help?: string;
  placeholder?: string;
  /** select: the choices. */
  options?: readonly string[];
  required?: boolean;
  min?: number;
  max?: number;
}

/** What a probe gets besides its settings: the guard, the deadline, the abort signal, test seams. */
export interface ProbeContext extends ProbeOptions {
  /** The monitor's timeout: the whole check (connect, query, answer) must finish within it. */
  timeoutMs: number;
}

/** A host a check connects to, and the form field that named it (a plain string: the type's first field). */
export interface NamedHost {
  host: string;
  field: string;
  /** Put before the guard's refusal, e.g. "Resolver" → "Resolver 10.0.0.1 is a private …". */
  what?: string;
}

/**
 * A setting that is partly a credential (HTTP headers: `Authorization: …` among harmless
 * ones). Whole secrets are listed in `secrets`; this hides, keeps and names the parts.
 */
export interface PartlySecret {
  /** The value as forms and the API show it, with the secret parts left out. */
  hide(value: string): string;
  /** A submitted value with the parts left blank taken from the stored value. */
  keep(submitted: string, stored: string): string;
  /** Names of the stored parts that are hidden, for the form's "saved" hint. */
  saved(stored: string): string[];
}

/**
 * What `afterResult` may do, bound to the transaction that stores the result: it commits or
 * rolls back with the result, and a probe file needs neither SQL nor the alerts context.
 */
export interface AfterResultContext {
  monitor: { id: number; accountId: number; name: string; url: string };
  /** When the check ran. */
  at: number;
  /** Queues a monitor alert in the outbox; `keySuffix` makes it once per certificate and threshold. */
  alert(v: { event: 'tls_expiry'; keySuffix: string; cert: { daysLeft: number; validTo: number } }): Promise<void>;
  /** Keeps a picture of the check on the monitor page (one per monitor, replacing the last). */
  saveScreenshot(png: Buffer): Promise<void>;
}

/** Where a check type may be used: a reason it is unavailable, or null. */
export interface Availability {
  selfHosted: boolean;
  plan: string;
  /** Instance switches such as BROWSER_CHECKS and SCRIPT_CHECKS. */
  flags: Readonly<Record<string, boolean>>;
}

export interface CheckTypeDefinition<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Stored in monitors.type and used as the API `type` value, e.g. "postgres". */
  readonly type: string;
  /** Shown in the type chooser, e.g. "PostgreSQL". */
  readonly label: string;
  /** One sentence for the type chooser and the docs. */
  readonly description: string;
  /**
   * Typed settings with their defaults. Parses form input (strings) and API JSON alike, so
   * numbers and booleans are coerced; refinements give the field errors users see. Blank
   * form fields arrive as absent. Its output must parse again to the same value: stored
   * settings are read back through it (fields.ts has helpers that do; see registry.ts).
   */
  readonly settings: z.ZodType<S>;
  /** The form's fields in display order. */
  readonly fields: { readonly [K in keyof S & string]?: FieldSpec };
  /** Settings that are credentials (passwords, tokens, connection URLs with a password): write-only everywhere. */
  readonly secrets: readonly (keyof S & string)[];
  /** Settings with secret parts (see PartlySecret); absent = none. */
  readonly partlySecret?: { readonly [K in keyof S & string]?: PartlySecret };
  /**
   * A dedicated form partial (views/partials/monitors/types/<name>.eta) for a type whose
   * form the generic field list cannot express; absent = the fields are rendered from `fields`.
   */
  readonly partial?: string;
  /** false for push types (heartbeat): nothing is probed, so no timeout or retries apply. */
  readonly probed: boolean;
  /**
   * How the target is shown in alerts and status pages, stored as the monitor's `url`: the
   * URL, or a readable pseudo-URL such as tcp://[::1]:22. Never includes a secret.
   */
  target(settings: S): string;
  /** The dashboard's one-line description ("TCP db:5432"); absent = `target`. */
  summary?(settings: S): string;
  /** The hosts a check connects to, for the guard's save-time check (names are re-checked at connect time). */
  hosts(settings: S): Array<string | NamedHost>;
  /** Why this type cannot be used here, or null; absent = always available. */
  available?(where: Availability): string | null;
  /** Runs one check. Never throws: failures are results with an error that says what went wrong. */
  run(settings: S, ctx: ProbeContext): Promise<ProbeResult>;
  /** Side effects of a stored result (certificate warnings, a failed journey's screenshot), in the result's transaction. */
  afterResult?(settings: S, result: ProbeResult, ctx: AfterResultContext): Promise<void>;
}

/** Identity helper that keeps S inferred from the settings schema. */
export function defineCheckType<S extends Record<string, unknown>>(d: CheckTypeDefinition<S>): CheckTypeDefinition<S> {
  return d;
}

/** A check that failed before or while connecting, in the shape every probe returns. */
export function failed(error: string, responseMs = 0, statusCode: number | null = null): ProbeResult {
  return { ok: false, statusCode, responseMs, error };
}

/**
 * The address a client library should connect to. With the guard on, the name is resolved
 * and checked here and the library is handed the checked address, so its own lookup cannot
 * reach an internal host (keep the original name for TLS `servername`). Throws the guard's
 * BlockedAddressError (code EBLOCKED); `blockedOrFailed` turns that into a result.
 */
export async function connectAddress(ctx: ProbeContext, host: string): Promise<string> {
  const bare = bareHost(host);
  if (!ctx.guard.active) return bare;
  const refused = ctx.guard.hostRefusal(bare);
  if (refused) throw Object.assign(new Error(refused), { code: 'EBLOCKED' });
  return (await ctx.guard.resolve(bare)).address;
}

/** A guard refusal as "Blocked: …", anything else as `describe(err)`. */
export function blockedOrFailed(err: unknown, describe: (err: Error) => string, responseMs = 0): ProbeResult {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'EBLOCKED' ? failed(`Blocked: ${e.message}`, responseMs) : failed(describe(e), responseMs);
}
