/*
 * Logic-less templates: literal text and {{variable}} placeholders, nothing else.
 *
 * Hand-written on purpose: the only feature is substituting known variables, which a few
 * lines do and a reader can check at a glance. A template engine brings expressions,
 * helpers, filters and partials we would then have to keep out (Uptime Kuma's LiquidJS
 * notification templates became a code-execution advisory). Here there is no syntax that
 * could run anything: a placeholder is a dotted name from a fixed list, or the template
 * is refused when saved.
 */

/** Literal text and variable names, in order. */
export type TemplatePart = { text: string } | { variable: string };

export class TemplateError extends Error {}

const NAME = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$/;
const EXAMPLE = '{{monitor.name}}';

/**
 * Splits a template into parts, refusing anything but known variables:
 * 1. every `{{` must be closed by `}}` on the same placeholder;
 * 2. `{{{…}}}` and any content that is not a dotted name (`{{#if}}`, `{{a | upcase}}`,
 *    `{{a + b}}`) is refused: variables only, no expressions, helpers or sections;
 * 3. a name not in `known` is refused, naming it and listing the known ones.
 */
export function parseTemplate(src: string, known: ReadonlySet<string>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < src.length) {
    const open = src.indexOf('{{', at);
    if (open < 0) break;
    if (open > at) parts.push({ text: src.slice(at, open) });
    if (src.startsWith('{{{', open)) throw new TemplateError(`"{{{" is not supported: write variables as ${EXAMPLE} (values are escaped for you)`);
    const close = src.indexOf('}}', open + 2);
    const next = src.indexOf('{{', open + 2);
    if (close < 0 || (next >= 0 && next < close)) throw new TemplateError(`A "{{" is not closed by "}}" (at character ${open + 1})`);
    const inner = src.slice(open + 2, close).trim();
    if (!NAME.test(inner)) {
      throw new TemplateError(`{{${inner}}} is not a variable: templates take variables only, like ${EXAMPLE} (no expressions, helpers or sections)`);
    }
    if (!known.has(inner)) throw new TemplateError(`Unknown variable {{${inner}}}. Available: ${[...known].map((k) => `{{${k}}}`).join(', ')}`);
    parts.push({ variable: inner });
    at = close + 2;
  }
  if (at < src.length) parts.push({ text: src.slice(at) });
  return parts;
}

/** Fills the variables in, each value passed through `escape` (missing values are empty). */
export function renderTemplate(parts: readonly TemplatePart[], values: Readonly<Record<string, string>>, escape: (v: string) => string = (v) => v): string {
  return parts.map((p) => ('text' in p ? p.text : escape(values[p.variable] ?? ''))).join('');
}

/** A value as the inside of a JSON string literal: quotes, backslashes and control characters escaped. */
export function jsonStringContent(v: string): string {
  return JSON.stringify(v).slice(1, -1);
}

/**
 * Why a JSON template is unsafe or broken, or null. Every variable must sit inside a JSON
 * string, where its escaped value cannot end the string: each is replaced by letters that
 * are valid only inside a string (outside one, `zz` is not JSON), then the whole must parse.
 */
export function jsonTemplateProblem(parts: readonly TemplatePart[]): string | null {
  const probe = parts.map((p) => ('text' in p ? p.text : 'zz')).join('');
  try {
    JSON.parse(probe);
    return null;
  } catch (err) {
    const quoted = parts.map((p) => ('text' in p ? p.text : '"zz"')).join('');
    try {
      JSON.parse(quoted);
      return `Put each variable inside a JSON string, e.g. "name": "${EXAMPLE}"`;
    } catch {
      return `The template is not valid JSON: ${(err as Error).message}`;
    }
  }
}
