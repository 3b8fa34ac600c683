import { z } from 'zod';
import { type AlertEvent, describeEvent, formatDuration } from '../event.ts';
import { defineChannel, field } from './channel.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

function lines(e: AlertEvent): Array<[string, string]> {
  const rows: Array<[string, string]> = [['Monitor', e.monitor.name], ['URL', e.monitor.url]];
  if (e.incident) {
    rows.push(['What failed', e.incident.cause], ['Started', when(e.incident.startedAt)]);
    if (e.incident.resolvedAt) rows.push(['Recovered', when(e.incident.resolvedAt)], ['Down for', formatDuration(e.incident.resolvedAt - e.incident.startedAt)]);
  }
  return rows;
}

const recipients = z
  .string()
  .trim()
  .min(1, 'Enter at least one email address')
  .transform((v) => v.split(/[,\s;]+/).filter(Boolean))
  .pipe(z.array(z.string().email('One of the addresses is not valid')).max(20, 'At most 20 recipients'))
  .transform((list) => list.join(', '));

/** Plain-text and HTML bodies with the monitor, what failed, when, for how long, and a link. */
export const email = defineChannel({
  kind: 'email',
  label: 'Email',
  sends: 'HTML + plain text: monitor, URL, what failed, when it started, downtime on recovery, link. Through Resend (`RESEND_API_KEY`), else SMTP (`SMTP_URL`), else written to the log',
  plan: 'free',
  config: z.object({
    recipients: field(recipients, { label: 'Recipients', input: 'text', help: 'One or more addresses, separated by commas.' }),
  }),
  redact(config) {
    const domains = [...new Set(config.recipients.split(/[,\s;]+/).filter(Boolean).map((a) => a.split('@')[1] ?? ''))].filter(Boolean);
    return domains.length ? domains.join(', ') : null;
  },
  render(e, config, ctx) {
    const { title, summary } = describeEvent(e);
    const rows = lines(e);
    const text = [summary, '', ...rows.map(([k, v]) => `${k}: ${v}`), '', `Open the monitor: ${e.link}`, '', `— StatusPing for ${e.account}`].join('\n');
    const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<h2 style="margin:0 0 12px">${esc(title)}</h2><p>${esc(summary)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><td style="color:#64748b">${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<p><a href="${esc(e.link)}">Open the monitor</a></p><p style="color:#94a3b8;font-size:12px">StatusPing for ${esc(e.account)}</p></body></html>`;
    return { type: 'mail', to: config.recipients.split(/,\s*/), subject: e.event === 'test' ? '[Test] StatusPing test message' : title.replace(/^\S+ /, ''), text, html, idempotencyKey: ctx.idempotencyKey };
  },
});
