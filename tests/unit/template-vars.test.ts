import { describe, expect, it } from 'vitest';
import { jsonStringContent, jsonTemplateProblem, parseTemplate, renderTemplate, TemplateError } from '../../src/lib/template-vars.ts';

const KNOWN = new Set(['event', 'monitor.name', 'monitor.id']);
const parse = (s: string) => parseTemplate(s, KNOWN);

describe('logic-less templates', () => {
  it('splits text and known variables, whitespace inside braces allowed', () => {
    expect(parse('{{event}}: {{ monitor.name }}!')).toEqual([{ variable: 'event' }, { text: ': ' }, { variable: 'monitor.name' }, { text: '!' }]);
    expect(parse('no variables }} here')).toEqual([{ text: 'no variables }} here' }]);
    expect(parse('')).toEqual([]);
  });

  it.each([
    ['{{monitor.nmae}}', 'Unknown variable {{monitor.nmae}}. Available: {{event}}, {{monitor.name}}, {{monitor.id}}'],
    ['{{#if event}}x{{/if}}', '{{#if event}} is not a variable'],
    ['{{monitor.name | upcase}}', 'is not a variable'],
    ['{{event + 1}}', 'is not a variable'],
    ["{{constructor.constructor('return process')()}}", 'is not a variable'],
    ['{{> partial}}', 'is not a variable'],
    ['{{}}', 'is not a variable'],
    ['{{{monitor.name}}}', '"{{{" is not supported'],
    ['{{event', 'is not closed'],
    ['{{event {{monitor.name}}', 'is not closed'],
  ])('refuses %s', (src, message) => {
    expect(() => parse(src)).toThrow(TemplateError);
    expect(() => parse(src)).toThrow(message);
  });

  it('fills values in through the escape, missing ones empty', () => {
    expect(renderTemplate(parse('[{{event}}] {{monitor.name}}'), { event: 'down' }, (v) => v.toUpperCase())).toBe('[DOWN] ');
  });

  it('JSON string escaping keeps any value inside its string', () => {
    const hostile = ['Evil", "admin": true, "x": "', 'back\\slash', 'line\nbreak\u2028sep', '\u0000\u001f', '</script>{{event}}', '"}]}'];
    const parts = parseTemplate('{"name": "{{monitor.name}}", "tags": ["{{monitor.name}}"]}', KNOWN);
    for (const name of hostile) {
      const parsed = JSON.parse(renderTemplate(parts, { 'monitor.name': name }, jsonStringContent));
      expect(parsed).toEqual({ name, tags: [name] });
    }
  });

  it('a JSON template must be JSON with every variable inside a string', () => {
    expect(jsonTemplateProblem(parse('{"id": "{{monitor.id}}", "{{event}}": true}'))).toBeNull();
    expect(jsonTemplateProblem(parse('{"id": {{monitor.id}}}'))).toMatch(/^Put each variable inside a JSON string/);
    expect(jsonTemplateProblem(parse('{"id": 1{{monitor.id}}}'))).toMatch(/not valid JSON|inside a JSON string/);
    expect(jsonTemplateProblem(parse('{"id": "\\{{monitor.id}}"}'))).not.toBeNull();
    expect(jsonTemplateProblem(parse('{"text": "{{event}}",}'))).toMatch(/^The template is not valid JSON/);
  });
});
