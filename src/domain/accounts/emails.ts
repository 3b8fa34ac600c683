import type { Mailer } from '../../lib/mail.ts';
import type { Logger } from '../../lib/logger.ts';

/** What account emails need: where links point and how mail leaves. */
export interface AccountMailDeps {
  mailer: Mailer;
  baseUrl: string;
  logger: Pick<Logger, 'warn'>;
}

export interface AccountMail {
  to: string;
  subject: string;
  /** Paragraphs of plain text; a link is its own paragraph. */
  paragraphs: string[];
  link?: { url: string; label: string };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function linkUrl(deps: Pick<AccountMailDeps, 'baseUrl'>, path: string): string {
  return `${deps.baseUrl.replace(/\/+$/, '')}${path}`;
}

/**
 * Sends one account email. Failures are logged, never thrown: the user's action already
 * happened, and the page offers a way to ask again (resend, forgot password).
 */
export async function sendAccountMail(deps: AccountMailDeps, m: AccountMail): Promise<boolean> {
  const text = [...m.paragraphs, ...(m.link ? [`${m.link.label}: ${m.link.url}`] : []), '— StatusPing'].join('\n\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
${m.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${m.link ? `<p><a href="${esc(m.link.url)}">${esc(m.link.label)}</a></p><p style="color:#64748b;font-size:12px">${esc(m.link.url)}</p>` : ''}
<p style="color:#94a3b8;font-size:12px">StatusPing</p></body></html>`;
  try {
    await deps.mailer.send({ to: [m.to], subject: m.subject, text, html });
    return true;
  } catch (err) {
    deps.logger.warn({ err, subject: m.subject }, 'could not send an account email');
    return false;
  }
}
