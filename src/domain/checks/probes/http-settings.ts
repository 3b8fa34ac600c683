import { z } from 'zod';
import { httpUrl } from '../../../lib/validate.ts';
import { parseStatusRanges } from './assertions.ts';
import type { PartlySecret } from './contract.ts';
import { flag, text, whole } from './fields.ts';
import type { HttpTarget } from './http.ts';

// The HTTP type's settings: the request, its credentials and the response assertions.

export const METHODS = ['GET', 'HEAD', 'POST'] as const;
export type HttpMethod = (typeof METHODS)[number];

const HEADER_LINE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:\s*[^\r\n]*$/;
const JSON_PATH = /^\$(\.[A-Za-z_$][\w$-]*|\[\d+\]|\[["'][^"']*["']\])*$/;

function validRegex(v: string): boolean {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
}

export const httpSettings = z
  .object({
    url: httpUrl('Enter the URL to check'),
    method: z.enum(METHODS, { message: 'Method must be GET, HEAD or POST' }).default('GET'),
    expected_status: z
      .string()
      .trim()
      .default('200-399')
      .superRefine((v, ctx) => {
        try {
          parseStatusRanges(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    keyword: text(200, 'Keep it under 200 characters'),
    headers: text(4000, 'Keep headers under 4000 characters').refine((v) => v.split('\n').every((l) => !l.trim() || HEADER_LINE.test(l.trim())), 'One header per line, as Name: value'),
    auth_type: z.enum(['none', 'basic', 'bearer'], { message: 'Choose none, Basic or Bearer' }).default('none'),
    auth_user: text(200, 'User name too long'),
    auth_pass: text(500, 'Password too long'),
    auth_token: text(4000, 'Token too long'),
    body: text(10_000, 'Keep the request body under 10000 characters'),
    follow_redirects: flag(true),
    max_redirects: whole(0, 20, 'At most 20 redirects').default(10),
    ignore_tls: flag(false),
    keyword_absent: text(200, 'Keep it under 200 characters'),
    regex: text(500, 'Keep the pattern under 500 characters').refine(validRegex, 'Not a valid regular expression'),
    json_path: text(200, 'Keep the path under 200 characters').refine((v) => v === '' || JSON_PATH.test(v), 'A JSON path looks like $.status or $.items[0].name'),
    json_op: z.enum(['equals', 'contains']).default('equals'),
    json_expected: text(500, 'Keep it under 500 characters'),
    header_name: text(100, 'Header name too long'),
    header_value: text(500, 'Header value too long'),
    max_response_ms: whole(1, 60_000, 'At most 60000 ms').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.method === 'HEAD' && v.keyword) ctx.addIssue({ code: 'custom', path: ['keyword'], message: 'HEAD responses have no body; use GET to check a keyword' });
    if (v.auth_type === 'basic' && !v.auth_user) ctx.addIssue({ code: 'custom', path: ['auth_user'], message: 'Enter the user name for Basic auth' });
    if (v.auth_type === 'bearer' && !v.auth_token) ctx.addIssue({ code: 'custom', path: ['auth_token'], message: 'Enter the token for Bearer auth' });
  })
  // A credential the chosen authentication does not use is dropped, so None removes both.
  .transform((v) => ({ ...v, auth_pass: v.auth_type === 'basic' ? v.auth_pass : '', auth_token: v.auth_type === 'bearer' ? v.auth_token : '' }));

export type HttpSettings = z.output<typeof httpSettings>;

/**
 * Request headers whose values are credentials by their name: Authorization, Cookie, API
 * keys and anything named like a token, secret, key, password, session or signature.
 */
const SECRET_HEADER = /authorization|cookie|token|secret|key|passw|session|credential|signature|auth/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

function headerLines(headers: string): Array<{ name: string; value: string }> {
  return headers
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const i = l.indexOf(':');
      return i < 0 ? { name: l.trim(), value: '' } : { name: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
    });
}

/**
 * Secret header values are write-only like the password: shown as "X-Api-Key:" (other lines
 * as they are); a line sent back as "Name:" keeps its stored value; a deleted line is removed.
 */
export const secretHeaders: PartlySecret = {
  hide: (headers) =>
    headers
      .split('\n')
      .map((line) => {
        const i = line.indexOf(':');
        return i > 0 && isSecretHeader(line.slice(0, i)) ? `${line.slice(0, i).trim()}:` : line;
      })
      .join('\n'),
  keep(submitted, stored) {
    const storedValues = new Map(headerLines(stored).map((h) => [h.name.toLowerCase(), h.value]));
    return submitted
      .split('\n')
      .map((line) => {
        const m = /^\s*([^:\s]+)\s*:\s*$/.exec(line);
        const kept = m && isSecretHeader(m[1]!) ? storedValues.get(m[1]!.toLowerCase()) : undefined;
        return kept ? `${m![1]}: ${kept}` : line;
      })
      .join('\n');
  },
  saved: (stored) => headerLines(stored).filter((h) => isSecretHeader(h.name) && h.value !== '').map((h) => h.name),
};

/** The HTTP request and assertions the settings describe. */
export function httpTarget(s: HttpSettings, timeoutMs: number): HttpTarget {
  const headers: Record<string, string> = {};
  for (const line of s.headers.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (s.auth_type === 'basic') headers.authorization = `Basic ${Buffer.from(`${s.auth_user}:${s.auth_pass}`).toString('base64')}`;
  if (s.auth_type === 'bearer') headers.authorization = `Bearer ${s.auth_token}`;
  return {
    url: s.url,
    method: s.method,
    expectedStatus: s.expected_status,
    keyword: s.keyword || null,
    timeoutMs,
    headers,
    body: s.body || undefined,
    followRedirects: s.follow_redirects,
    maxRedirects: s.max_redirects,
    ignoreTls: s.ignore_tls,
    assertions: {
      keywordAbsent: s.keyword_absent,
      regex: s.regex,
      jsonPath: s.json_path,
      jsonOp: s.json_op,
      jsonExpected: s.json_expected,
      headerName: s.header_name,
      headerValue: s.header_value,
      maxResponseMs: s.max_response_ms,
    },
  };
}
