import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { Logger } from './logger.ts';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  /** Deadline of this send; the caller also races it. */
  timeoutMs?: number;
}

/** A send failure; `permanent` says whether retrying can help. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface Mailer {
  /** How mail leaves this instance, for the UI: "Resend", "SMTP (host)" or "log". */
  readonly via: string;
  /** Sends and returns the provider's answer, e.g. "250 OK" or a Resend id. */
  send(mail: Mail): Promise<string>;
}

export interface MailConfig {
  from: string;
  resendApiKey?: string;
  resendBaseUrl: string;
  smtpUrl?: string;
}

/** Resend when RESEND_API_KEY is set, otherwise SMTP when SMTP_URL is set, otherwise the log. */
export function createMailer(config: MailConfig, logger: Logger): Mailer {
  if (config.resendApiKey) {
    const key = config.resendApiKey;
    return {
      via: 'Resend',
      async send(mail) {
        const res = await request(`${config.resendBaseUrl.replace(/\/+$/, '')}/emails`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            ...(mail.idempotencyKey ? { 'idempotency-key': mail.idempotencyKey.slice(0, 256) } : {}),
          },
          body: JSON.stringify({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers }),
          signal: AbortSignal.timeout(mail.timeoutMs ?? 10_000),
        });
        const text = (await res.body.text()).slice(0, 500);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          try {
            return `Resend ${res.statusCode} id ${(JSON.parse(text) as { id?: string }).id ?? '?'}`;
          } catch {
            return `Resend ${res.statusCode}`;
          }
        }
        const permanent = res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429 && res.statusCode !== 408;
        throw new MailError(`Resend answered ${res.statusCode}: ${text}`, permanent);
      },
    };
  }
  if (config.smtpUrl) {
    // Stay well inside an attempt's deadline so a stalled server cannot hold a delivery slot.
    const u = new URL(config.smtpUrl);
    const transport = nodemailer.createTransport({
      host: u.hostname,
      port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
      secure: u.protocol === 'smtps:',
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      connectionTimeout: 8000,
      greetingTimeout: 8000,
      socketTimeout: 9000,
    });
    const host = (() => {
      try {
        return new URL(config.smtpUrl).hostname;
      } catch {
        return 'server';
      }
    })();
    return {
      via: `SMTP (${host})`,
      async send(mail) {
        try {
          const info = await transport.sendMail({
            from: config.from,
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            headers: { ...mail.headers, ...(mail.idempotencyKey ? { 'X-StatusPing-Idempotency-Key': mail.idempotencyKey } : {}) },
          });
          return info.response;
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode;
          throw new MailError(`SMTP: ${(err as Error).message}`, code !== undefined && code >= 500);
        }
      },
    };
  }
  return {
    via: 'log',
    async send(mail) {
      logger.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'email (no RESEND_API_KEY or SMTP_URL: written to the log)');
      return 'written to the log';
    },
  };
}
