import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { z } from 'zod';
import { DAY } from '../../../lib/clock.ts';
import { defineCheckType } from './contract.ts';
import { hostname, hostPort, list, port, whole } from './fields.ts';
import { describeFetchError } from '../../../lib/fetch-error.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export interface TlsTarget {
  host: string;
  port: number;
  timeoutMs: number;
}

/**
 * Handshakes with the server and judges its certificate: the chain must verify against the
 * trusted roots, the host name must match, and it must not have expired. A passing result
 * carries the days left and the expiry for the warnings.
 */
export function tlsProbe(t: TlsTarget, opts: ProbeOptions & { ca?: string | Buffer }): Promise<ProbeResult & { cert?: { daysLeft: number; validTo: number } }> {
  const started = performance.now();
  const host = t.host.replace(/^\[|\]$/g, '');
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const refused = opts.guard.hostRefusal(host);
    if (refused) {
      resolve({ ok: false, statusCode: null, responseMs: 0, error: `Blocked: ${refused}` });
      return;
    }
    let settled = false;
    const isIp = /^[\d.]+$|:/.test(host);
    const socket = connect({
      host,
      port: t.port,
      servername: isIp ? undefined : host,
      rejectUnauthorized: false, // judged below, so the answer can say exactly what is wrong
      ca: opts.ca,
      lookup: opts.guard.active ? (opts.guard.lookup as never) : undefined,
    });
    const finish = (r: ProbeResult & { cert?: { daysLeft: number; validTo: number } }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, statusCode: null, responseMs: elapsed(), error: `Timeout: no TLS handshake with ${host}:${t.port} within ${t.timeoutMs / 1000} s` }), t.timeoutMs);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate() as PeerCertificate;
      const validTo = Date.parse(cert.valid_to);
      const daysLeft = Math.floor((validTo - Date.now()) / DAY);
      const fail = (error: string) => finish({ ok: false, statusCode: null, responseMs: elapsed(), error });
      if (!cert || !cert.valid_to) return fail('TLS error: the server sent no certificate');
      if (validTo <= Date.now()) return fail(`TLS error: certificate has expired (${cert.valid_to})`);
      if (!socket.authorized) {
        const reason = String(socket.authorizationError ?? 'untrusted');
        const plain =
          reason === 'DEPTH_ZERO_SELF_SIGNED_CERT' || reason === 'SELF_SIGNED_CERT_IN_CHAIN' ? 'self-signed certificate'
          : reason === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || reason === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ? 'unable to verify the certificate chain'
          : reason === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `certificate does not match ${host}`
          : reason;
        return fail(`TLS error: ${plain}`);
      }
      const mismatch = checkServerIdentity(host, cert);
      if (mismatch) return fail(`TLS error: certificate does not match ${host}`);
      finish({ ok: true, statusCode: null, responseMs: elapsed(), error: null, cert: { daysLeft, validTo } });
    });
    socket.once('error', (err) => finish({ ok: false, statusCode: null, responseMs: elapsed(), error: describeFetchError(err, host, false, t.timeoutMs) }));
  });
}

const WARN_DAYS = 'Days before expiry, comma-separated, e.g. 30,14,7,1';

const settings = z.object({
  host: hostname,
  port: port(443),
  warn_days: list(whole(0, 999, WARN_DAYS), 10, WARN_DAYS)
    .transform((days) => [...new Set(days)].sort((a, b) => b - a))
    .default([30, 14, 7, 1]),
});

export const tls = defineCheckType({
  type: 'tls',
  label: 'TLS certificate',
  description: 'The chain must verify, the host name match and the certificate not be expired; warns before expiry.',
  settings,
  fields: {
    host: { label: 'Host', input: 'text', required: true, placeholder: 'example.com' },
    port: { label: 'Port', input: 'number', min: 1, max: 65535 },
    warn_days: { label: 'Warn days before expiry', input: 'list', help: 'One alert per certificate at each of these thresholds. Fails when expired, untrusted or for another host.' },
  },
  secrets: [],
  probed: true,
  target: (s) => `tls://${hostPort(s.host, s.port)}`,
  summary: (s) => `TLS certificate ${hostPort(s.host, s.port)}`,
  hosts: (s) => [s.host],
  run: (s, ctx) => tlsProbe({ host: s.host, port: s.port, timeoutMs: ctx.timeoutMs }, ctx),
  /**
   * One warning per certificate per threshold: at 10 days left with thresholds 30,14,7,1 only
   * the "14" warning goes out (not 30 as well), and a renewed certificate starts afresh.
   */
  async afterResult(s, result, ctx) {
    if (!result.cert) return;
    const cert = result.cert;
    const crossed = s.warn_days.filter((d) => cert.daysLeft <= d).sort((a, b) => a - b)[0];
    if (crossed !== undefined) await ctx.alert({ event: 'tls_expiry', keySuffix: `${cert.validTo}:${crossed}`, cert });
  },
});
