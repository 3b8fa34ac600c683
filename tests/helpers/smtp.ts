import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

export interface CapturedMail {
  /** The envelope sender ('' for none). */
  from: string;
  to: string[];
  raw: string;
  /** The message with encoded header words and quoted-printable body undone, so it can be searched as text. */
  text: string;
}
export type CaughtMail = CapturedMail;

export interface SmtpSink {
  url: string;
  mails: CapturedMail[];
  /**
   * Waits (up to timeoutMs) for a mail that arrived after the first `since` mails: to an
   * address (the newest such mail), or matching a predicate (the first such mail).
   */
  waitFor(match: string | ((m: CapturedMail) => boolean), since?: number, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}
export type SmtpCatcher = SmtpSink;

/** Runs of `=XX` escapes as the UTF-8 text their bytes spell. */
const unescapeHex = (s: string) => s.replace(/(?:=[0-9A-F]{2})+/g, (run) => Buffer.from(run.replace(/=/g, ''), 'hex').toString('utf8'));

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in headers, adjacent ones joined. */
function decodeHeaders(head: string): string {
  return head
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : unescapeHex(text.replace(/_/g, ' ')),
    );
}

/**
 * The message as readable text: encoded words in the headers and quoted-printable in the body
 * undone. Headers are never quoted-printable: a List-Unsubscribe link carrying `sig=B1…` must
 * stay as it is (decoding the whole message turned it into a byte, a flaky failure seen in CI).
 */
function readable(raw: string): string {
  const split = /\r?\n\r?\n/.exec(raw);
  const at = split ? split.index + split[0].length : raw.length;
  return decodeHeaders(raw.slice(0, at)) + unescapeHex(raw.slice(at).replace(/=\r?\n/g, ''));
}

/** A real SMTP server on 127.0.0.1 keeping every message it receives (in `mails`, when given). */
export async function startSmtp(mails: CapturedMail[] = []): Promise<SmtpSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, text: readable(raw) });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(match, since = 0, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = mails.slice(since);
        const found = typeof match === 'string' ? seen.filter((m) => m.to.includes(match)).pop() : seen.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms; got: ${mails.map((x) => x.to.join(',')).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A real SMTP server for the enclosing file or describe block: started before its tests, closed
 * after. `mails` can be read at once; `url` and the methods are there once the tests run.
 */
export function useSmtp(): SmtpSink {
  const sink = { mails: [] as CapturedMail[] } as SmtpSink;
  beforeAll(async () => {
    Object.assign(sink, await startSmtp(sink.mails));
  });
  afterAll(() => sink.close());
  return sink;
}

/** The path of the invitation link in a mail, e.g. /invite/abc… */
export function invitePath(mail: CapturedMail): string {
  return linkIn(mail, '/invite/');
}

/** The first link to `path` (e.g. "/verify-email/") in a mail, as a path with its token. */
export function linkIn(mail: CapturedMail, path: string): string {
  const m = new RegExp(`https?://[^/\\s"<>]+(${path.replace(/\//g, '\\/')}[A-Za-z0-9_-]+)`).exec(mail.text);
  if (!m) throw new Error(`no ${path} link in mail:\n${mail.text.slice(0, 2000)}`);
  return m[1]!;
}
