import type { Monitor } from '../../monitors/monitors.ts';
import { dnsProbe, type DnsTarget } from './dns.ts';
import { httpProbe } from './http.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';
import { tcpProbe } from './tcp.ts';
import { tlsProbe } from './tls.ts';

/** Runs the probe for the monitor's type: the only place that knows every type. */
export function probe(m: Monitor, opts: ProbeOptions): Promise<ProbeResult> {
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
    case 'heartbeat':
      throw new Error('heartbeat monitors are not probed');
    default:
      return httpProbe({ url: m.url, method: m.method, expectedStatus: m.expectedStatus, keyword: m.keyword, timeoutMs: m.timeoutMs }, opts);
  }
}
