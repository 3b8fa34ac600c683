import { execFile } from 'node:child_process';
import { isIP } from 'node:net';
import { z } from 'zod';
import { defineCheckType } from './contract.ts';
import { hostname, hostPort, whole } from './fields.ts';
import type { ProbeOptions, ProbeResult } from './probe.ts';

export interface PingTarget {
  host: string;
  /** Echo requests per check. */
  count: number;
  /** Highest acceptable packet loss in percent (e.g. 0 = every reply needed). */
  maxLossPercent: number;
  timeoutMs: number;
}

const PING = process.env.PING_PATH ?? 'ping';

/** Host names and addresses only: nothing that the ping binary could read as an option. */
export function validPingHost(host: string): boolean {
  return isIP(host) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(host);
}

/**
 * ICMP echo through the system `ping` (fixed arguments, never a shell): packet loss and
 * average round-trip time from its summary lines.
 */
export async function pingProbe(t: PingTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const host = t.host.replace(/^\[|\]$/g, '');
  if (!validPingHost(host)) return { ok: false, statusCode: null, responseMs: 0, error: `Invalid host name: ${t.host}` };
  // With the guard on, the name is resolved and checked here and ping gets the checked
  // address: ping resolving the name itself could reach an internal host.
  let address = host;
  if (opts.guard.active) {
    try {
      address = (await opts.guard.resolve(host)).address;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EBLOCKED') return { ok: false, statusCode: null, responseMs: 0, error: `Blocked: ${(err as Error).message}` };
      return { ok: false, statusCode: null, responseMs: Math.round(performance.now() - started), error: `DNS failure: could not resolve ${host}` };
    }
  }
  const waitS = Math.max(1, Math.ceil(t.timeoutMs / 1000));
  const args = ['-n', '-c', String(t.count), '-i', '0.2', '-W', String(waitS), '-w', String(waitS + t.count), '--', address];
  return new Promise((resolve) => {
    execFile(PING, args, { timeout: (waitS + t.count + 2) * 1000, signal: opts.signal }, (err, stdout, stderr) => {
      const elapsed = Math.round(performance.now() - started);
      const loss = /([\d.]+)% packet loss/.exec(stdout);
      const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+/.exec(stdout);
      if (!loss) {
        const why = (stderr || (err as Error | null)?.message || 'no output').trim().split('\n')[0] ?? 'no output';
        const code = (err as NodeJS.ErrnoException | null)?.code;
        const msg = code === 'ENOENT' ? 'the ping program is not installed on this server' : /unknown host|Name or service not known|Temporary failure/i.test(why) ? `DNS failure: could not resolve ${t.host}` : why;
        resolve({ ok: false, statusCode: null, responseMs: elapsed, error: msg.startsWith('DNS failure') ? msg : `Ping failed: ${msg}` });
        return;
      }
      const lossPct = Number(loss[1]);
      const avg = rtt ? Math.round(Number(rtt[1])) : elapsed;
      if (lossPct > t.maxLossPercent) {
        resolve({ ok: false, statusCode: null, responseMs: avg, error: `Packet loss ${lossPct}% (limit ${t.maxLossPercent}%)` });
        return;
      }
      resolve({ ok: true, statusCode: null, responseMs: avg, error: null });
    });
  });
}

const settings = z.object({
  // A leading dash would read as an option to ping (it is never run through a shell either).
  host: hostname.refine((h) => !h.startsWith('-'), 'Enter a host name like example.com or an IP address'),
  count: whole(1, 10, 'Between 1 and 10 packets').default(3),
  max_loss: whole(0, 100, '0–100 %').default(0),
});

export const ping = defineCheckType({
  type: 'ping',
  label: 'Ping (ICMP)',
  description: 'The system ping with fixed arguments: packet loss and average round-trip time.',
  settings,
  fields: {
    host: { label: 'Host', input: 'text', required: true, placeholder: 'router.example.com' },
    count: { label: 'Packets', input: 'number', min: 1, max: 10 },
    max_loss: { label: 'Max packet loss (%)', input: 'number', min: 0, max: 100 },
  },
  secrets: [],
  probed: true,
  target: (s) => `ping://${hostPort(s.host)}`,
  summary: (s) => `Ping ${s.host}`,
  hosts: (s) => [s.host],
  run: (s, ctx) => pingProbe({ host: s.host, count: s.count, maxLossPercent: s.max_loss, timeoutMs: ctx.timeoutMs }, ctx),
});
