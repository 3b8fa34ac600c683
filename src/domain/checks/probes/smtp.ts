import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { z } from 'zod';
import { blockedOrFailed, connectAddress, defineCheckType, failed, type ProbeContext } from './contract.ts';
import type { ProbeResult } from './probe.ts';
import { networkProblem, withoutSecrets } from './connection-errors.ts';
import { closeLater, closeWithin, since, underDeadline } from './connection-io.ts';
import { choiceSetting, urlSetting } from './connection-settings.ts';
import { certificateProblem, tlsNames } from './connection-tls.ts';
import { type ConnectionUrl, displayUrl, hostPort, parseConnectionUrl, urlHosts, type UrlSpec } from './connection-url.ts';

export const SMTP_URL: UrlSpec = {
  protocol: 'SMTP',
  schemes: { smtp: { port: 25, tls: false }, smtps: { port: 465, tls: true } },
  example: 'smtp://mail.example.com:25',
  credentials: false,
  hints: { submission: 'write smtp://host:587', mailto: 'enter the mail server, not an address' },
};

export const STARTTLS_MODES = ['optional', 'required', 'none'] as const;
const DEFAULT_EHLO = 'statusping.invalid';
const MAX_REPLY = 64 * 1024;

const settings = z.object({
  url: urlSetting(SMTP_URL),
  starttls: choiceSetting(STARTTLS_MODES, 'optional', 'STARTTLS'),
  ehlo_name: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? v.trim() : v),
    z
      .string({ message: 'The EHLO name must be text' })
      .max(253, 'EHLO names are at most 253 characters')
      .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]+\]$/, 'Give a host name like probe.example.com (or an address literal like [192.0.2.1])')
      .default(DEFAULT_EHLO),
  ),
});

export type SmtpSettings = z.output<typeof settings>;

interface Reply {
  code: number;
  /** Each line's text after the code and separator. */
  lines: string[];
}

const show = (r: Reply) => `${r.code} ${r.lines.join(' ').trim()}`.slice(0, 300);

/** Reads SMTP replies (multi-line "250-…" up to "250 …") from whichever socket is current. */
class Conversation {
  private buf = '';
  private lines: string[] = [];
  private ready: Reply[] = [];
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private broken: Error | null = null;
  socket: Socket | TLSSocket;

  constructor(socket: Socket | TLSSocket) {
    this.socket = socket;
    this.attach(socket);
  }

  readonly onData = (chunk: Buffer) => {
    this.buf += chunk.toString('latin1');
    if (this.buf.length > MAX_REPLY) return this.fail(new Error('the server sent a reply longer than 64 KB'));
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) return this.fail(new Error(`the server did not answer like an SMTP server: ${line.slice(0, 100)}`));
      this.lines.push(m[3]!);
      if (m[2] !== '-') {
        this.ready.push({ code: Number(m[1]), lines: this.lines });
        this.lines = [];
      }
    }
    this.flush();
  };

  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.on('data', this.onData);
  }

  detach(): void {
    this.socket.off('data', this.onData);
  }

  fail(err: Error): void {
    this.broken ??= err;
    this.flush();
  }

  private flush(): void {
    if (!this.waiting) return;
    const w = this.waiting;
    const next = this.ready.shift();
    if (next) {
      this.waiting = null;
      w.resolve(next);
    } else if (this.broken) {
      this.waiting = null;
      w.reject(this.broken);
    }
  }

  read(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }

  command(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.read();
  }
}

/** The capabilities an EHLO reply lists (its lines after the greeting), upper case. */
function capabilities(r: Reply): string[] {
  return r.lines.slice(1).map((l) => l.trim().split(/\s+/)[0]!.toUpperCase());
}

class SmtpFailure extends Error {
  readonly code = 'ESMTP';
}

/** One check; `u` is the parsed URL. */
async function probeSmtp(s: SmtpSettings, u: ConnectionUrl, ctx: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  const where = hostPort(u.host, u.port);
  let address: string;
  try {
    address = await connectAddress(ctx, u.host);
  } catch (err) {
    return blockedOrFailed(err, (e) => networkProblem(e, u.host, u.port) ?? `SMTP error: ${e.message}`, since(started));
  }
  let step = `could not connect to ${where}`;
  const sockets: Socket[] = [];
  let talk: Conversation | undefined;

  const handshake = (socket: TLSSocket) =>
    new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        const problem = certificateProblem(socket, u.host);
        if (problem) reject(new SmtpFailure(`TLS error: ${problem}`));
        else resolve();
      });
      socket.once('error', reject);
    });

  const work = (async () => {
    const first = u.tls
      ? tlsConnect({ host: address, port: u.port, ...tlsNames(u.host), ca: ctx.ca, rejectUnauthorized: false })
      : netConnect({ host: address, port: u.port });
    sockets.push(first);
    talk = new Conversation(first);
    const conv = talk;
    const broken = (e: Error) => conv.fail(e);
    const closed = () => conv.fail(new SmtpFailure(`${where} closed the connection (${step.replace(/^no /, 'before any ')})`));
    first.on('error', broken);
    first.on('close', closed);
    if (u.tls) {
      step = `no TLS handshake with ${where}`;
      await handshake(first as TLSSocket);
    }
    step = `no SMTP banner from ${where}`;
    const banner = await conv.read();
    if (banner.code !== 220) throw new SmtpFailure(`Unexpected SMTP banner from ${where}: ${show(banner)} (expected 220)`);
    step = 'no answer to EHLO';
    let ehlo = await conv.command(`EHLO ${s.ehlo_name}`);
    if (ehlo.code !== 250) throw new SmtpFailure(`EHLO refused by ${where}: ${show(ehlo)}`);
    if (u.tls || s.starttls === 'none') return;
    const offered = capabilities(ehlo).includes('STARTTLS');
    if (!offered) {
      if (s.starttls === 'required') throw new SmtpFailure(`STARTTLS not offered by ${where} (required by this check)`);
      return;
    }
    step = 'no answer to STARTTLS';
    const go = await conv.command('STARTTLS');
    if (go.code !== 220) throw new SmtpFailure(`STARTTLS offered but refused by ${where}: ${show(go)}`);
    conv.detach();
    first.off('close', closed);
    const secure = tlsConnect({ socket: first, ...tlsNames(u.host), ca: ctx.ca, rejectUnauthorized: false });
    sockets.push(secure);
    secure.on('error', broken);
    secure.on('close', closed);
    conv.attach(secure); // replies flow once the handshake is done; QUIT after a bad certificate goes in TLS too
    step = `no TLS handshake with ${where} after STARTTLS`;
    await handshake(secure);
    step = 'no answer to EHLO after STARTTLS';
    ehlo = await conv.command(`EHLO ${s.ehlo_name}`);
    if (ehlo.code !== 250) throw new SmtpFailure(`EHLO after STARTTLS refused by ${where}: ${show(ehlo)}`);
  })();
  const destroyAll = () => sockets.forEach((x) => x.destroy());
  try {
    await underDeadline(ctx, work, () => step, destroyAll);
    return { ok: true, statusCode: null, responseMs: since(started), error: null };
  } catch (err) {
    const e = err as Error & { code?: string };
    return failed(e.code === 'ESMTP' ? e.message : (networkProblem(e, u.host, u.port) ?? `SMTP error: ${e.message}`), since(started));
  } finally {
    // QUIT politely when the conversation is still going, then let go of the sockets.
    const last = sockets.at(-1);
    const conv = talk;
    closeLater(async () => {
      if (conv && last && !last.destroyed && last.writable) await closeWithin(conv.command('QUIT'), 1000);
      for (const x of sockets) x.end();
      destroyAll();
    });
  }
}

export const smtpCheck = defineCheckType({
  type: 'smtp',
  label: 'SMTP',
  description: 'Connects to a mail server, expects its 220 banner and greets it with EHLO; optionally upgrades with STARTTLS and checks the certificate.',
  settings,
  fields: {
    url: { label: 'Server URL', input: 'url', required: true, placeholder: SMTP_URL.example, help: 'smtp://host:port (25, or 587 for submission) or smtps://host:465 for TLS from the start.' },
    starttls: { label: 'STARTTLS', input: 'select', options: STARTTLS_MODES, help: 'optional: used and its certificate checked when offered; required: the check fails without it; none: stay in plain text.' },
    ehlo_name: { label: 'EHLO name', input: 'text', placeholder: DEFAULT_EHLO, help: 'The name this check greets the server with.' },
  },
  secrets: [],
  probed: true,
  target: (s) => displayUrl(s.url, SMTP_URL, { path: false }),
  hosts: (s) => urlHosts(s.url, SMTP_URL),
  async run(s, ctx) {
    const u = parseConnectionUrl(s.url, SMTP_URL);
    if (typeof u === 'string') return failed(u);
    return withoutSecrets(await probeSmtp(s, u, ctx), []);
  },
});
