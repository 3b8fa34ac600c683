import { browserProbe } from './browser.ts';
import { dnsProbe, type DnsTarget } from './dns.ts';
import { httpProbe, type HttpTarget } from './http.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';
import { pingProbe } from './ping.ts';
import { tcpProbe } from './tcp.ts';
import { tlsProbe } from './tls.ts';

/**
 * What probing reads of a monitor. Declared here rather than imported: the monitors context
 * builds on check types, so checks must not import it (its Monitor has all of these fields).
 */
export interface ProbeTarget {
  type: string;
  settings: Record<string, string>;
  url: string;
  method: HttpTarget['method'];
  expectedStatus: string;
  keyword: string | null;
  timeoutMs: number;
}

/** Runs the probe for the monitor's type: the only place that knows every type. */
export function probe(m: ProbeTarget, opts: ProbeOptions): Promise<ProbeResult> {
  switch (m.type) {
    case 'tcp':
      return tcpProbe({ host: m.settings.host!, port: Number(m.settings.port), timeoutMs: m.timeoutMs }, opts);
    case 'dns':
      return dnsProbe(
        {
          host: m.settings.host!,
          recordType: (m.settings.record_type ?? 'A') as DnsTarget['recordType'],
          resolver: m.settings.resolver ?? '',
          expected: m.settings.expected ?? '',
          timeoutMs: m.timeoutMs,
        },
        opts,
      );
    case 'tls':
      return tlsProbe({ host: m.settings.host!, port: Number(m.settings.port ?? 443), timeoutMs: m.timeoutMs }, opts);
    case 'ping':
      return pingProbe({ host: m.settings.host!, count: Number(m.settings.count ?? 3), maxLossPercent: Number(m.settings.max_loss ?? 0), timeoutMs: m.timeoutMs }, opts);
    case 'browser':
      return browserProbe({ steps: m.settings.steps ?? '', timeoutMs: m.timeoutMs }, opts);
    case 'heartbeat':
      throw new Error('heartbeat monitors are not probed');
    default:
      return httpProbe(httpTarget(m), opts);
  }
}

/** The HTTP request and assertions a monitor's settings describe. */
export function httpTarget(m: ProbeTarget): HttpTarget {
  const s = m.settings;
  const headers: Record<string, string> = {};
  for (const line of (s.headers ?? '').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  if (s.auth_type === 'basic') headers.authorization = `Basic ${Buffer.from(`${s.auth_user ?? ''}:${s.auth_pass ?? ''}`).toString('base64')}`;
  if (s.auth_type === 'bearer') headers.authorization = `Bearer ${s.auth_token ?? ''}`;
  return {
    url: m.url,
    method: m.method,
    expectedStatus: m.expectedStatus,
    keyword: m.keyword,
    timeoutMs: m.timeoutMs,
    headers,
    body: s.body,
    followRedirects: s.follow_redirects !== 'false',
    maxRedirects: s.max_redirects ? Number(s.max_redirects) : undefined,
    ignoreTls: s.ignore_tls === 'true',
    assertions: {
      keywordAbsent: s.keyword_absent,
      regex: s.regex,
      jsonPath: s.json_path,
      jsonOp: s.json_op === 'contains' ? 'contains' : 'equals',
      jsonExpected: s.json_expected,
      headerName: s.header_name,
      headerValue: s.header_value,
      maxResponseMs: s.max_response_ms ? Number(s.max_response_ms) : undefined,
    },
  };
}
