import { z } from 'zod';
import { ValidationError } from '../../../lib/errors.ts';
import { jsonStringContent, jsonTemplateProblem, parseTemplate, renderTemplate, TemplateError, type TemplatePart } from '../../../lib/template-vars.ts';
import { type AlertEvent, describeEvent, formatDuration } from '../event.ts';
import { defineChannel, field, hostOf, secretUrlField, selectField } from './channel.ts';

const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : '');

/** Every variable a template may use, with what it holds (the form's help lists them). */
export const TEMPLATE_VARIABLES: Record<string, string> = {
  event: 'down, up, reminder, flapping, tls_expiry or test',
  title: 'e.g. "🔴 Checkout API is down"',
  summary: 'one sentence: what happened',
  'monitor.id': 'the monitor’s id',
  'monitor.name': 'its name',
  'monitor.url': 'what it checks',
  'incident.id': 'empty without an incident',
  'incident.cause': 'what failed',
  'incident.started_at': 'ISO 8601 time',
  'incident.resolved_at': 'ISO 8601 time, empty while down',
  'incident.duration': 'e.g. "5m 0s", on recovery',
  'incident.duration_seconds': 'on recovery',
  'cert.days_left': 'tls_expiry only',
  'cert.valid_to': 'tls_expiry only, ISO 8601 time',
  link: 'the monitor’s page in StatusPing',
  account: 'your account’s name',
  at: 'when it happened, ISO 8601',
  idempotency_key: 'the same on every retry of one alert',
};
const KNOWN = new Set(Object.keys(TEMPLATE_VARIABLES));

export function templateValues(e: AlertEvent, idempotencyKey: string): Record<string, string> {
  const { title, summary } = describeEvent(e);
  const i = e.incident;
  return {
    event: e.event,
    title,
    summary,
    'monitor.id': String(e.monitor.id),
    'monitor.name': e.monitor.name,
    'monitor.url': e.monitor.url,
    'incident.id': i ? String(i.id) : '',
    'incident.cause': i?.cause ?? '',
    'incident.started_at': iso(i?.startedAt),
    'incident.resolved_at': iso(i?.resolvedAt),
    'incident.duration': i?.resolvedAt ? formatDuration(i.resolvedAt - i.startedAt) : '',
    'incident.duration_seconds': i?.resolvedAt ? String(Math.round((i.resolvedAt - i.startedAt) / 1000)) : '',
    'cert.days_left': e.cert ? String(e.cert.daysLeft) : '',
    'cert.valid_to': iso(e.cert?.validTo),
    link: e.link,
    account: e.account,
    at: iso(e.at),
    idempotency_key: idempotencyKey,
  };
}

const CONTENT_TYPES = [['application/json', 'JSON'], ['text/plain', 'Plain text']] as const;

const DEFAULT_TEMPLATE = '{"text": "{{summary}}", "monitor": "{{monitor.name}}", "event": "{{event}}", "link": "{{link}}"}';

const template = z
  .string()
  .max(10_000, 'Keep the template under 10,000 characters')
  .refine((v) => v.trim() !== '', 'Write the body to send')
  .superRefine((v, ctx) => {
    try {
      parseTemplate(v, KNOWN);
    } catch (err) {
      if (err instanceof TemplateError) ctx.addIssue({ code: 'custom', message: err.message });
      else throw err;
    }
  });

/** The body for one event; JSON templates get every value escaped as JSON string content. */
function body(parts: readonly TemplatePart[], contentType: string, values: Record<string, string>): string {
  return renderTemplate(parts, values, contentType === 'application/json' ? jsonStringContent : undefined);
}

const SAMPLE: AlertEvent = {
  event: 'down',
  monitor: { id: 42, name: 'Checkout "API"', url: 'https://shop.example/health' },
  incident: { id: 7, startedAt: Date.UTC(2026, 0, 15, 9, 30), resolvedAt: null, cause: 'Unexpected status 503 (expected 200-399)' },
  link: 'https://statusping.example/monitors/42',
  account: 'Acme',
  at: Date.UTC(2026, 0, 15, 9, 30),
};

const fields = z.object({
  url: secretUrlField('Where we POST the body below.'),
  content_type: selectField({ label: 'Content type', help: 'JSON templates are checked when saved, and every value is escaped so a name with quotes cannot break the JSON.' }, CONTENT_TYPES),
  template: field(template, {
    label: 'Body template',
    input: 'textarea',
    placeholder: DEFAULT_TEMPLATE,
    help: `Variables only, e.g. {{monitor.name}}: ${Object.keys(TEMPLATE_VARIABLES).map((k) => `{{${k}}}`).join(', ')}. No expressions or helpers.`,
  }),
});

/** Why a template cannot be sent with this content type (beyond its own field's rules), or null. */
function contentProblem(v: { content_type: string; template: string }): string | null {
  // A template its own field refuses is reported there, once.
  if (v.content_type !== 'application/json' || !template.safeParse(v.template).success) return null;
  return jsonTemplateProblem(parseTemplate(v.template, KNOWN));
}

const config = fields.superRefine((v, ctx) => {
  const problem = contentProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
});

/** A POST with a body the user writes: logic-less {{variables}}, checked when saved. */
export const customWebhook = defineChannel({
  kind: 'custom_webhook',
  label: 'Custom webhook',
  sends: 'POST of your own body template (JSON or text) with `{{variables}}` only: no expressions; JSON values are escaped',
  plan: 'pro',
  config,
  redact: (c) => hostOf(c.url),
  render(e, c, ctx) {
    const parts = parseTemplate(c.template, KNOWN);
    return {
      type: 'http',
      url: c.url,
      headers: { 'content-type': `${c.content_type}; charset=utf-8`, 'idempotency-key': ctx.idempotencyKey },
      body: body(parts, c.content_type, templateValues(e, ctx.idempotencyKey)),
    };
  },
  preview(input) {
    const r = fields.pick({ content_type: true, template: true }).safeParse(input);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new ValidationError(issue.message, { [String(issue.path[0] ?? 'template')]: issue.message });
    }
    const problem = contentProblem(r.data);
    if (problem) throw new ValidationError(problem, { template: problem });
    return { contentType: r.data.content_type, body: body(parseTemplate(r.data.template, KNOWN), r.data.content_type, templateValues(SAMPLE, 'preview')) };
  },
});
