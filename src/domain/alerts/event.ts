/** What an alert says: the event frozen into an outbox row, and its words. Channels import this file only. */

export const ALERT_EVENTS = ['down', 'up', 'reminder', 'flapping', 'tls_expiry', 'test'] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];

/** What an alert says, frozen into the outbox row when it is written. */
export interface AlertEvent {
  event: AlertEventName;
  monitor: { id: number; name: string; url: string };
  incident: { id: number; startedAt: number; resolvedAt: number | null; cause: string } | null;
  /** Link to the monitor page in the dashboard. */
  link: string;
  account: string;
  at: number;
  /** tls_expiry: the certificate's days left and expiry time. */
  cert?: { daysLeft: number; validTo: number };
}

export function describeEvent(e: AlertEvent): { title: string; summary: string } {
  const name = e.monitor.name;
  switch (e.event) {
    case 'down':
      return { title: `🔴 ${name} is down`, summary: `${name} is down: ${e.incident?.cause ?? 'check failed'}` };
    case 'up': {
      const d = e.incident?.resolvedAt ? formatDuration(e.incident.resolvedAt - e.incident.startedAt) : '';
      return { title: `🟢 ${name} is back up`, summary: `${name} is back up${d ? ` after ${d} of downtime` : ''}` };
    }
    case 'reminder':
      return { title: `🔴 ${name} is still down`, summary: `${name} is still down: ${e.incident?.cause ?? 'check failed'}` };
    case 'flapping':
      return { title: `🟠 ${name} is flapping`, summary: `${name} keeps going up and down; alerts are held until it is stable` };
    case 'tls_expiry': {
      const d = e.cert?.daysLeft ?? 0;
      const when = e.cert ? new Date(e.cert.validTo).toISOString().slice(0, 10) : '';
      return { title: `🟠 ${name}: TLS certificate expires in ${d} day${d === 1 ? '' : 's'}`, summary: `The TLS certificate of ${name} expires on ${when} (${d} day${d === 1 ? '' : 's'} left). Renew it before visitors see errors.` };
    }
    case 'test':
      return { title: `StatusPing test message`, summary: `This is a test of the "${name}" channel from StatusPing. No action is needed.` };
  }
}

/** The title without its leading emoji, for providers that show their own icon or severity. */
export function plainTitle(e: AlertEvent): string {
  return describeEvent(e).title.replace(/^[^\x20-\x7e]+ /u, '');
}

/** Events that mean "something is wrong now". */
export function isBad(e: AlertEvent): boolean {
  return e.event === 'down' || e.event === 'reminder';
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 24 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}
