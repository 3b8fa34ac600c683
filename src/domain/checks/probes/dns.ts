import { Resolver } from 'node:dns/promises';
import { z } from 'zod';
import { parseResolver } from '../../../lib/resolver.ts';
import { defineCheckType, type NamedHost } from './contract.ts';
import { hostname, hostPort, list } from './fields.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;

export interface DnsTarget {
  host: string;
  recordType: (typeof DNS_RECORD_TYPES)[number];
  /** "1.1.1.1" or "9.9.9.9:53"; empty = the system's resolvers. */
  resolver: string;
  /** Comma-separated values that must all be in the answer; empty = any answer passes. */
  expected: string;
  timeoutMs: number;
}

const CODES: Record<string, string> = {
  ENOTFOUND: 'no such domain (NXDOMAIN)',
  ENODATA: 'no records of that type',
  ETIMEOUT: 'the resolver did not answer in time',
  ECONNREFUSED: 'the resolver refused the connection',
  ESERVFAIL: 'the resolver failed (SERVFAIL)',
  EREFUSED: 'the resolver refused the query',
};

/** Answers as comparable strings: MX as "priority exchange", TXT records joined. */
async function lookup(r: Resolver, t: DnsTarget): Promise<string[]> {
  switch (t.recordType) {
    case 'A':
      return r.resolve4(t.host);
    case 'AAAA':
      return r.resolve6(t.host);
    case 'CNAME':
      return r.resolveCname(t.host);
    case 'NS':
      return r.resolveNs(t.host);
    case 'MX':
      return (await r.resolveMx(t.host)).map((m) => `${m.priority} ${m.exchange}`);
    case 'TXT':
      return (await r.resolveTxt(t.host)).map((parts) => parts.join(''));
  }
}

const norm = (v: string) => v.trim().toLowerCase().replace(/\.$/, '');

/** Resolves one record type through the chosen resolver and compares with the expected values. */
export async function dnsProbe(t: DnsTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const chosen = t.resolver ? parseResolver(t.resolver) : null;
  if (typeof chosen === 'string') return { ok: false, statusCode: null, responseMs: 0, error: `Invalid resolver ${t.resolver}: ${chosen}` };
  const refused = chosen && opts.guard.refusal(chosen.host);
  if (refused) {
    return { ok: false, statusCode: null, responseMs: 0, error: `Blocked: resolver ${chosen.host} is a private or reserved address; not allowed on this instance` };
  }
  const resolver = new Resolver({ timeout: t.timeoutMs, tries: 1 });
  if (chosen) resolver.setServers([chosen.server]);
  try {
    const answers = await lookup(resolver, t);
    const expected = t.expected.split(',').map(norm).filter(Boolean);
    const got = new Set(answers.map(norm));
    const missing = expected.filter((e) => !got.has(e));
    if (missing.length) {
      return { ok: false, statusCode: null, responseMs: elapsed(), error: `DNS answer mismatch: expected ${missing.join(', ')}, got ${answers.join(', ') || 'nothing'}` };
    }
    return { ok: true, statusCode: null, responseMs: elapsed(), error: null };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return { ok: false, statusCode: null, responseMs: elapsed(), error: `DNS failure: ${t.recordType} ${t.host}: ${CODES[code] ?? (err as Error).message}` };
  } finally {
    resolver.cancel();
  }
}

const settings = z.object({
  host: hostname,
  record_type: z.enum(DNS_RECORD_TYPES, { message: 'Choose A, AAAA, CNAME, MX, TXT or NS' }).default('A'),
  resolver: z
    .string()
    .trim()
    .default('')
    .superRefine((v, ctx) => {
      const r = v === '' ? null : parseResolver(v);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: `${r}, or leave it empty for the system resolver` });
    }),
  expected: list(z.string().max(253, 'Each expected value is at most 253 characters'), 50, 'At most 50 expected values').default([]),
});

export const dns = defineCheckType({
  type: 'dns',
  label: 'DNS',
  description: 'Resolves one record type through a chosen resolver and compares the answer with the expected values.',
  settings,
  fields: {
    host: { label: 'Host name', input: 'text', required: true, placeholder: 'example.com' },
    record_type: { label: 'Record type', input: 'select', options: DNS_RECORD_TYPES },
    resolver: { label: 'Resolver (optional)', input: 'text', help: 'e.g. 1.1.1.1; empty = the DNS servers this server is configured with (/etc/hosts is not consulted).' },
    expected: { label: 'Expected values (optional)', input: 'list', help: 'Comma-separated; each must be in the answer.' },
  },
  secrets: [],
  probed: true,
  target: (s) => `dns://${hostPort(s.host)}/${s.record_type}`,
  summary: (s) => `DNS ${s.record_type} ${s.host}${s.resolver ? ` @${s.resolver}` : ''}`,
  // The resolver is a target too: a private one would let a check probe the internal network.
  hosts(s) {
    const r = s.resolver ? parseResolver(s.resolver) : null;
    return [s.host, ...(r && typeof r !== 'string' ? [{ host: r.host, field: 'resolver', what: 'Resolver' } satisfies NamedHost] : [])];
  },
  run: (s, ctx) => dnsProbe({ host: s.host, recordType: s.record_type, resolver: s.resolver, expected: s.expected.join(','), timeoutMs: ctx.timeoutMs }, ctx),
});
