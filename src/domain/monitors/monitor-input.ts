import { isIP } from 'node:net';
import { Cron } from 'croner';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { isTimeZone } from '../../lib/timezone.ts';
import { parseResolver } from '../../lib/resolver.ts';
import { parseInput } from '../../lib/validate.ts';
import { parseSteps } from '../checks/probes/browser.ts';
import { DNS_RECORD_TYPES, type MonitorInput, monitorInputSchema, MONITOR_TYPES, type MonitorType } from './monitors.ts';

// The fields of each monitor type, and validation of a whole monitor of any type.

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/**
 * A host name or an IP address, stored without brackets: `db.example.com`, `192.0.2.7`,
 * `2001:db8::1` or `[2001:db8::1]`. A name whose last label is all digits (`127.1`) is a
 * mistyped address, not a name, and is refused rather than left to the resolver's guess.
 */
export function hostProblem(host: string): string | null {
  if (host.includes('%')) return 'Zone indexes like %eth0 are not supported; enter the address without it';
  if (isIP(host) !== 0) return null;
  if (host.includes(':')) return 'Not a valid IPv6 address (write it like 2001:db8::1 or [2001:db8::1])';
  if (!HOST_NAME.test(host)) return 'Enter a host name like db.example.com or an IP address';
  if (/^\d+$/.test(host.replace(/\.$/, '').split('.').pop()!)) return 'Not a valid IPv4 address (four numbers, like 192.0.2.7)';
  return null;
}

const hostname = z
  .string()
  .trim()
  .min(1, 'Enter a host name or IP address')
  .max(253, 'Host names are at most 253 characters')
  .superRefine((h, ctx) => {
    const bracketed = /^\[(.*)\]$/.exec(h);
    const problem = bracketed ? (isIP(bracketed[1]!) === 6 ? hostProblem(bracketed[1]!) : 'Brackets hold an IPv6 address, like [2001:db8::1]') : hostProblem(h);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((h) => (/^\[.*\]$/.test(h) ? h.slice(1, -1) : h));

/** host:port for display and pseudo-URLs, with IPv6 addresses in brackets. */
const hostPort = (host: string, port?: string) => (isIP(host) === 6 ? `[${host}]` : host) + (port ? `:${port}` : '');

/** Per-type target fields for non-HTTP monitors; HTTP keeps its URL, method, status and keyword. */
const tcpSchema = z.object({
  host: hostname,
  port: z.coerce.number({ message: 'Port must be a number' }).int('Port must be a whole number').min(1, 'Ports are 1–65535').max(65535, 'Ports are 1–65535'),
});
const dnsSchema = z.object({
  host: hostname,
  record_type: z.enum(DNS_RECORD_TYPES, { message: 'Choose A, AAAA, CNAME, MX, TXT or NS' }).default('A'),
  resolver: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || '')
    .superRefine((v, ctx) => {
      const r = v === '' ? null : parseResolver(v);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: `${r}, or leave it empty for the system resolver` });
    }),
  expected: z
    .string()
    .trim()
    .max(1000, 'Keep the expected values under 1000 characters')
    .optional()
    .transform((v) => v || ''),
});

const tlsSchema = z.object({
  host: hostname,
  port: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number({ message: 'Port must be a number' }).int().min(1, 'Ports are 1–65535').max(65535, 'Ports are 1–65535').default(443)),
  warn_days: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || '30,14,7,1')
    .refine((v) => v.split(',').every((d) => /^\s*\d{1,3}\s*$/.test(d)), 'Days before expiry, comma-separated, e.g. 30,14,7,1')
    .transform((v) => [...new Set(v.split(',').map((d) => Number(d.trim())))].sort((a, b) => b - a).join(',')),
});

const pingSchema = z.object({
  host: hostname.refine((h) => !h.startsWith('-'), 'Enter a host name like example.com or an IP address'),
  count: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().min(1, 'At least 1 packet').max(10, 'At most 10 packets').default(3)),
  max_loss: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().min(0, '0–100 %').max(100, '0–100 %').default(0)),
});

const browserSchema = z.object({
  steps: z
    .string()
    .max(5000, 'Keep the journey under 5000 characters')
    .superRefine((v, ctx) => {
      try {
        parseSteps(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
});

const heartbeatSchema = z.object({
  cron: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || '')
    .superRefine((v, ctx) => {
      if (!v) return;
      try {
        new Cron(v, { paused: true }).stop();
      } catch (err) {
        void err;
        ctx.addIssue({ code: 'custom', message: 'Not a valid cron expression; use five fields like 0 3 * * *' });
      }
    }),
  timezone: z.string().trim().optional().transform((v) => v || 'UTC').refine(isTimeZone, 'Unknown time zone (use a name like Europe/Paris or UTC)'),
  grace_seconds: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.coerce.number({ message: 'Grace must be a number of seconds' }).int('Whole seconds').min(0, 'Grace cannot be negative').max(86_400, 'At most a day of grace').default(60),
  ),
});

const onOff = (dflt: boolean) =>
  z.union([z.boolean(), z.string()]).optional().transform((v) => (v === undefined || v === '' ? dflt : v === true || v === 'on' || v === 'true' || v === '1'));
const optText = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v ?? '');

/** HTTP options beyond the URL: request shaping and response assertions. */
const httpExtrasSchema = z
  .object({
    headers: optText(4000, 'Keep headers under 4000 characters').refine(
      (v) => v.split('\n').every((l) => !l.trim() || /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:\s*[^\r\n]*$/.test(l.trim())),
      'One header per line, as Name: value',
    ),
    auth_type: z.enum(['none', 'basic', 'bearer'], { message: 'Choose none, Basic or Bearer' }).optional().transform((v) => v ?? 'none'),
    auth_user: optText(200, 'User name too long'),
    auth_pass: optText(500, 'Password too long'),
    auth_token: optText(4000, 'Token too long'),
    body: optText(10_000, 'Keep the request body under 10000 characters'),
    follow_redirects: onOff(true),
    max_redirects: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().min(0, 'At least 0').max(20, 'At most 20 redirects').default(10)),
    ignore_tls: onOff(false),
    keyword_absent: optText(200, 'Keep it under 200 characters'),
    regex: optText(500, 'Keep the pattern under 500 characters').refine((v) => {
      try {
        new RegExp(v);
        return true;
      } catch {
        return false;
      }
    }, 'Not a valid regular expression'),
    json_path: optText(200, 'Keep the path under 200 characters').refine((v) => v === '' || /^\$(\.[A-Za-z_$][\w$-]*|\[\d+\]|\[["'][^"']*["']\])*$/.test(v), 'A JSON path looks like $.status or $.items[0].name'),
    json_op: z.enum(['equals', 'contains']).optional().transform((v) => v ?? 'equals'),
    json_expected: optText(500, 'Keep it under 500 characters'),
    header_name: optText(100, 'Header name too long'),
    header_value: optText(500, 'Header value too long'),
    max_response_ms: z.preprocess((v) => (v === '' || v === undefined ? undefined : v), z.coerce.number().int().min(1).max(60_000, 'At most 60000 ms').optional()),
  })
  .superRefine((v, ctx) => {
    if (v.auth_type === 'basic' && !v.auth_user) ctx.addIssue({ code: 'custom', path: ['auth_user'], message: 'Enter the user name for Basic auth' });
    if (v.auth_type === 'bearer' && !v.auth_token) ctx.addIssue({ code: 'custom', path: ['auth_token'], message: 'Enter the token for Bearer auth' });
  });

/** Runs two parsers and reports both sets of field errors at once. */
function parseAll<A, B>(a: () => A, b: () => B): [A, B] {
  const errors: Record<string, string> = {};
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      Object.assign(errors, err.fields);
      return undefined;
    }
  };
  const ra = attempt(a);
  const rb = attempt(b);
  if (Object.keys(errors).length || ra === undefined || rb === undefined) {
    throw new ValidationError(Object.keys(errors).length > 1 ? 'Please fix the highlighted fields' : (Object.values(errors)[0] ?? 'Invalid input'), errors);
  }
  return [ra, rb];
}

export interface ParsedMonitor extends MonitorInput {
  type: MonitorType;
  settings: Record<string, string>;
}

/**
 * Validates a monitor of any type. Non-HTTP monitors keep a readable pseudo-URL
 * (tcp://host:port, dns://host/A) in `url` so lists, alerts and status pages show a target.
 */
export function parseMonitorInput(raw: unknown): ParsedMonitor {
  const r = (raw ?? {}) as Record<string, unknown>;
  const type = (r.type === undefined || r.type === '' ? 'http' : r.type) as string;
  if (!(MONITOR_TYPES as readonly string[]).includes(type)) {
    throw new ValidationError('Choose a monitor type: HTTP(S), TCP port, DNS, TLS certificate, Ping, Heartbeat or Browser journey', { type: 'Choose a monitor type' });
  }
  // Common fields and the type's own fields are validated together so the form shows every problem.
  const isHttp = type === 'http';
  const target = isHttp ? httpExtrasSchema : { tcp: tcpSchema, dns: dnsSchema, tls: tlsSchema, ping: pingSchema, heartbeat: heartbeatSchema, browser: browserSchema }[type as Exclude<MonitorType, 'http'>];
  const commonRaw = isHttp ? raw : { ...r, url: 'http://placeholder.invalid/', method: 'GET', keyword: '' };
  const [common, extras] = parseAll(
    () => parseInput(monitorInputSchema, commonRaw),
    () => parseInput(target as z.ZodType<Record<string, unknown>>, raw),
  );
  if (isHttp) {
    // Only what differs from the defaults is stored, so plain monitors keep "{}".
    const defaults: Record<string, string> = { auth_type: 'none', follow_redirects: 'true', max_redirects: '10', ignore_tls: 'false', json_op: 'equals' };
    const settings = Object.fromEntries(
      Object.entries(extras)
        .filter(([, v]) => v !== '' && v !== undefined)
        .map(([k, v]) => [k, String(v)])
        .filter(([k, v]) => defaults[k!] !== v),
    ) as Record<string, string>;
    return { ...common, type: 'http', settings };
  }
  const settings = Object.fromEntries(Object.entries(extras).map(([k, v]) => [k, String(v)])) as Record<string, string>;
  const url =
    type === 'tcp' ? `tcp://${hostPort(settings.host!, settings.port)}`
    : type === 'dns' ? `dns://${hostPort(settings.host!)}/${settings.record_type}`
    : type === 'tls' ? `tls://${hostPort(settings.host!, settings.port)}`
    : type === 'ping' ? `ping://${hostPort(settings.host!)}`
    : type === 'browser' ? (parseSteps(settings.steps!)[0] as { url: string }).url
    : 'heartbeat://push';
  return { ...common, type: type as MonitorType, url, settings };
}
