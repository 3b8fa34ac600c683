import { isIP } from 'node:net';
import { z } from 'zod';

/*
 * Setting schemas that several check types share. Each parses form input (strings) and API
 * JSON alike, and parses its own output to the same value again: stored settings are read
 * back through the same schema, so old rows (strings everywhere) and new ones both load.
 */

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

/** A host (see hostProblem); brackets around an IPv6 address are accepted and dropped. */
export const hostname = z
  .string({ message: 'Enter a host name or IP address' })
  .trim()
  .min(1, 'Enter a host name or IP address')
  .max(253, 'Host names are at most 253 characters')
  .superRefine((h, ctx) => {
    const bracketed = /^\[(.*)\]$/.exec(h);
    const problem = bracketed ? (isIP(bracketed[1]!) === 6 ? hostProblem(bracketed[1]!) : 'Brackets hold an IPv6 address, like [2001:db8::1]') : hostProblem(h);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((h) => (/^\[.*\]$/.test(h) ? h.slice(1, -1) : h));

/** host[:port] for display and pseudo-URLs, with IPv6 addresses in brackets (tcp://[::1]:22). */
export function hostPort(host: string, port?: number | string): string {
  return (isIP(host) === 6 ? `[${host}]` : host) + (port === undefined || port === '' ? '' : `:${port}`);
}

/** Blank form fields count as not given, so the default applies instead of 0. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A whole number in [min, max]; `message` for anything else. Chain `.default()` or `.optional()`. */
export function whole(min: number, max: number, message: string, notNumber = message) {
  return z.preprocess(blankToUndefined, z.coerce.number({ message: notNumber }).int(message).min(min, message).max(max, message));
}

export function port(dflt?: number) {
  const p = z.coerce.number({ message: 'Port must be a number' }).int('Port must be a whole number').min(1, 'Ports are 1–65535').max(65535, 'Ports are 1–65535');
  return z.preprocess(blankToUndefined, dflt === undefined ? p : p.default(dflt));
}

/** Free text, trimmed, '' when not given. */
export function text(max: number, message: string) {
  return z.string().trim().max(max, message).optional().transform((v) => v ?? '');
}

/** A checkbox: forms send "true"/"false" (a hidden "false" before the box), the API booleans. */
export function flag(dflt: boolean) {
  return z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? dflt : v === true || v === 'on' || v === 'true' || v === '1'));
}

/**
 * A list: an array from the API, or comma- or newline-separated text from a form (and from
 * rows stored before settings were typed). Empty items are dropped.
 */
export function list<T extends z.ZodType>(item: T, max: number, message: string) {
  const split = (v: unknown) => (typeof v === 'string' ? v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean) : v ?? []);
  return z.preprocess(split, z.array(item, { message }).max(max, message));
}
