import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

export interface CapturedMail {
  /** The envelope sender ('' for none). */
  from: string;
  to: string[];
  raw: string;
  /** The raw message with quoted-printable soft breaks and escapes undone, so it can be searched as text. */
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

// Only the body is quoted-printable: headers such as List-Unsubscribe carry a literal `sig=B1…`,
// which a whole-message decode would turn into a byte (a flaky failure seen in CI).
function decodeQuotedPrintable(raw: string): string {
  const split = /\r?\n\r?\n/.exec(raw);
  const at = split ? split.index + split[0].length : raw.length;
  const body = raw.slice(at).replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return raw.slice(0, at) + body;
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
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeQuotedPrintable(raw) });
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
