import { z } from 'zod';
import { httpUrl } from '../../../lib/validate.ts';
import type { PlanId } from '../../billing/plans.ts';
import type { AlertEvent, AlertEventName } from '../event.ts';

/** An HTTP request to a provider or a user's endpoint (POST unless said otherwise). */
export interface HttpMessage {
  type: 'http';
  method?: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** An email, sent through Resend, SMTP or the log. */
export interface MailMessage {
  type: 'mail';
  to: string[];
  subject: string;
  text: string;
  html: string;
  idempotencyKey: string;
  /** Extra headers, e.g. List-Unsubscribe on notices to status-page subscribers. */
  headers?: Record<string, string>;
}

export type OutgoingMessage = HttpMessage | MailMessage;

export interface RenderContext {
  idempotencyKey: string;
  /** Seconds since the epoch, for signatures. */
  timestamp: number;
  providers: ProviderUrls;
}

/** Base URLs of third-party APIs (src/config.ts): overridable so tests can point them at a local server. */
export interface ProviderUrls {
  telegram: string;
  pagerduty: string;
  opsgenie: string;
  opsgenieEu: string;
  pushover: string;
  twilio: string;
}

/* ---------- configuration fields: a zod schema that also says how its form shows it ---------- */

/** How a form shows a field: `secret` is a credential typed into a hidden input. */
export type FieldInput = 'text' | 'url' | 'secret' | 'textarea' | 'select';

export interface FieldMeta {
  label: string;
  help?: string;
  input: FieldInput;
  /**
   * A credential (implied by input `secret`; a webhook URL that embeds its token is a `url`
   * that is secret): never returned or shown once saved; blank on edit keeps the stored value.
   */
  secret?: boolean;
  placeholder?: string;
  /** select: [value, label] in order; the schema's enum is built from these values. */
  options?: ReadonlyArray<readonly [string, string]>;
}

/** Form metadata of config fields, keyed by their zod schema. */
export const FIELD_META = z.registry<FieldMeta>();

type FieldSchema = z.ZodType<string | undefined>;

/** A config field: `schema` validates it (on create, edit and through the API); `meta` is for forms and docs. */
export function field<S extends FieldSchema>(schema: S, meta: FieldMeta): S {
  // A clone, so a schema shared by two fields can carry two labels.
  const own = schema.clone() as S;
  FIELD_META.add(own as z.ZodType, meta);
  return own;
}

/** A URL field (checked by the SSRF guard when saved and at every delivery). */
export function urlField(meta: Omit<FieldMeta, 'input'>) {
  return field(httpUrl(), { ...meta, input: 'url' });
}

/** A URL the user types that is also a credential: an incoming-webhook URL carries its token. */
export function secretUrlField(help: string, label = 'URL') {
  return urlField({ label, help, secret: true });
}

/** An optional text field; an empty value is not stored. */
export function optionalText(meta: Omit<FieldMeta, 'input'>, max = 200) {
  return field(z.string().trim().max(max, `At most ${max} characters`).optional(), { ...meta, input: 'text' });
}

/** An optional URL field; an empty value is not stored. */
export function optionalUrlField(meta: Omit<FieldMeta, 'input'>) {
  const schema = z
    .string()
    .trim()
    .max(2048, 'URLs are limited to 2048 characters')
    .refine((v) => v === '' || httpUrl().safeParse(v).success, 'Enter a full http:// or https:// URL')
    .optional();
  return field(schema, { ...meta, input: 'url' });
}

/** A choice among options, the first one unless chosen. */
export function selectField(meta: Omit<FieldMeta, 'input' | 'options'>, options: ReadonlyArray<readonly [string, string]>) {
  const values = options.map(([v]) => v) as [string, ...string[]];
  return field(z.enum(values, { message: `Choose one of: ${options.map(([, l]) => l).join(', ')}` }).default(values[0]), { ...meta, input: 'select', options });
}

/* ---------- the channel definition ---------- */

type ConfigSchema = z.ZodObject<Record<string, FieldSchema>>;
/** A channel's stored settings: its fields, plus the signing secret of a `signed` kind. */
type Stored<C extends ConfigSchema> = z.output<C> & { secret?: string };

/** What a channel module writes: everything about one kind, in one place. */
export interface ChannelSpec<K extends string, C extends ConfigSchema> {
  kind: K;
  label: string;
  /** What is sent, in a phrase: the README's Alerts table and the API reference. */
  sends: string;
  /** The cheapest plan that includes it (a self-hosted instance has every channel). */
  plan: PlanId;
  /** Every setting, each built with `field()`; cross-field rules as `.superRefine`. */
  config: C;
  /** Where it sends, without any secret: the host of a URL, the domains of email recipients. */
  redact(config: Stored<C>): string | null;
  /** Which events it takes (default: all). */
  accepts?(event: AlertEventName): boolean;
  /** The provider's native message for one event. Pure: no I/O, no clock. */
  render(event: AlertEvent, config: Stored<C>, ctx: RenderContext): OutgoingMessage;
  /** A Standard Webhooks signing secret is generated on create, stored as `config.secret` and shown once. */
  signed?: boolean;
  /** What would be sent for a sample event, from unsaved form input; throws a ValidationError when it cannot be sent. */
  preview?(input: Record<string, unknown>): { contentType: string; body: string };
}

export interface ConfigField {
  name: string;
  required: boolean;
  meta: FieldMeta;
  schema: FieldSchema;
}

/** A channel as every other layer reads it: the spec plus what is derived from its schema. */
export interface ChannelDefinition<K extends string = string> {
  kind: K;
  label: string;
  sends: string;
  plan: PlanId;
  config: z.ZodType<Record<string, string | undefined>>;
  fields: readonly ConfigField[];
  /** The credential fields. */
  secrets: readonly string[];
  /** Fields holding a URL the user supplies: refused at save time by the SSRF guard, and again at delivery. */
  urlFields: readonly string[];
  redact(config: Record<string, string>): string | null;
  accepts(event: AlertEventName): boolean;
  render(event: AlertEvent, config: Record<string, string>, ctx: RenderContext): OutgoingMessage;
  signed: boolean;
  preview?(input: Record<string, unknown>): { contentType: string; body: string };
}

/** Checks a spec (every field described, sane names) and derives its field list. */
export function defineChannel<const K extends string, C extends ConfigSchema>(spec: ChannelSpec<K, C>): ChannelDefinition<K> {
  if (!/^[a-z][a-z_]*$/.test(spec.kind)) throw new Error(`Channel kind "${spec.kind}": lowercase letters and _ only`);
  const fields = Object.entries(spec.config.shape).map(([name, schema]): ConfigField => {
    const meta = FIELD_META.get(schema);
    if (!meta) throw new Error(`Channel ${spec.kind}: field "${name}" has no form metadata; build it with field()`);
    if (name === 'secret') throw new Error(`Channel ${spec.kind}: "secret" is reserved for the signing secret`);
    return { name, required: !schema.safeParse(undefined).success, meta, schema };
  });
  return {
    kind: spec.kind,
    label: spec.label,
    sends: spec.sends,
    plan: spec.plan,
    config: spec.config as unknown as z.ZodType<Record<string, string | undefined>>,
    fields,
    secrets: fields.filter((f) => f.meta.secret || f.meta.input === 'secret').map((f) => f.name),
    urlFields: fields.filter((f) => f.meta.input === 'url').map((f) => f.name),
    redact: (config) => spec.redact(config as Stored<C>),
    accepts: spec.accepts ?? (() => true),
    render: (event, config, ctx) => spec.render(event, config as Stored<C>, ctx),
    signed: spec.signed ?? false,
    ...(spec.preview ? { preview: spec.preview } : {}),
  };
}

/** Down, reminder and test raise; up resolves; flapping and TLS notices would open an alert nothing closes. */
export function pairedEventsOnly(event: AlertEventName): boolean {
  return event !== 'flapping' && event !== 'tls_expiry';
}

/* ---------- helpers for renderers ---------- */

export function jsonPost(url: string, body: unknown, ctx: RenderContext, extra: Record<string, string> = {}): HttpMessage {
  return {
    type: 'http',
    url,
    headers: { 'content-type': 'application/json', 'idempotency-key': ctx.idempotencyKey, ...extra },
    body: JSON.stringify(body),
  };
}

/** An application/x-www-form-urlencoded POST; undefined values are left out. */
export function formPost(url: string, fields: Record<string, string | number | undefined>, ctx: RenderContext, extra: Record<string, string> = {}): HttpMessage {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, String(v));
  return {
    type: 'http',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': ctx.idempotencyKey, ...extra },
    body: body.toString(),
  };
}

/** The host name of a URL, or null. */
export function hostOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '').hostname || null;
  } catch {
    return null;
  }
}

/** One stable key per incident (per test message otherwise), for providers that pair a raise with a resolve. */
export function incidentKey(e: AlertEvent, ctx: RenderContext): string {
  return e.incident ? `statusping-incident-${e.incident.id}` : `statusping-test-${ctx.idempotencyKey}`;
}

/** Cuts a string to `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
