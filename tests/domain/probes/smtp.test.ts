import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpCheck } from '../../../src/domain/checks/probes/smtp.ts';
import { closedPort } from '../../helpers/target.ts';
import { ctx, namedGuard, openSockets, SAAS_GUARD, SAAS_LOOPBACK, seesClose, selfSignedCert, silentServer, socketsBackTo, TEST_HOST, type TestCert } from './helpers.ts';

const parse = (input: Record<string, unknown>) => smtpCheck.settings.parse(input);
const problems = (input: Record<string, unknown>) => {
  const r = smtpCheck.settings.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('SMTP settings', () => {
  it('defaults, form strings and API JSON alike', () => {
    expect(parse({ url: 'smtp://mail.example.com' })).toEqual({ url: 'smtp://mail.example.com', starttls: 'optional', ehlo_name: 'statusping.invalid' });
    expect(parse({ url: 'smtp://mail.example.com:587', starttls: 'REQUIRED', ehlo_name: ' probe.example.com ' })).toMatchObject({ starttls: 'required', ehlo_name: 'probe.example.com' });
    expect(parse({ url: 'smtps://mail.example.com', starttls: '', ehlo_name: '' })).toMatchObject({ starttls: 'optional', ehlo_name: 'statusping.invalid' });
  });

  it('says what is wrong with a URL or the options', () => {
    expect(problems({ url: 'mailto:ops@example.com' }).url).toMatch(/^Enter the whole URL with its scheme: use an smtp:\/\/ or smtps:\/\/ URL/);
    expect(problems({ url: 'http://mail.example.com' }).url).toBe('http:// is not an SMTP URL. Use an smtp:// or smtps:// URL, like smtp://mail.example.com:25');
    expect(problems({ url: 'smtp://user:pw@mail.example.com' }).url).toBe('SMTP checks do not log in: remove the user name and password from the URL');
    expect(problems({ url: 'smtp://mail.example.com', starttls: 'always' }).starttls).toBe('STARTTLS: choose optional, required or none');
    expect(problems({ url: 'smtp://mail.example.com', ehlo_name: 'not a name' }).ehlo_name).toMatch(/^Give a host name/);
  });

  it('has no secrets; the target is the server', () => {
    expect(smtpCheck.secrets).toEqual([]);
    expect(smtpCheck.target(parse({ url: 'smtp://mail.example.com:587' }))).toBe('smtp://mail.example.com:587');
    expect(smtpCheck.target(parse({ url: 'smtps://mail.example.com' }))).toBe('smtps://mail.example.com:465');
    expect(smtpCheck.hosts(parse({ url: 'smtp://mail.example.com' }))).toEqual(['mail.example.com']);
  });
});

interface Smtp {
  port: number;
  /** EHLO names of the sessions that have ended (the server saw the connection close). */
  closed: string[];
  close(): Promise<void>;
}

async function startSmtpServer(options: SMTPServerOptions): Promise<Smtp> {
  const closed: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    ...options,
    onClose(session) {
      closed.push(session.hostNameAppearsAs);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.server.address() as AddressInfo).port, closed, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A raw server that greets with the given banner. */
async function bannerServer(banner: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createNetServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.write(banner);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('SMTP check against smtp-server', () => {
  let cert: TestCert;
  let plain: Smtp;
  let starttls: Smtp;
  let implicit: Smtp;
  beforeAll(async () => {
    cert = selfSignedCert();
    [plain, starttls, implicit] = await Promise.all([
      startSmtpServer({ disabledCommands: ['STARTTLS'] }),
      startSmtpServer({ key: cert.key, cert: cert.cert }),
      startSmtpServer({ secure: true, key: cert.key, cert: cert.cert }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), starttls?.close(), implicit?.close()]);
  });

  it('up: banner and EHLO with the chosen name, then QUIT and the server sees the close; through the SaaS guard when loopback is allowed', async () => {
    const before = openSockets();
    const r = await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${plain.port}`, ehlo_name: 'probe.example.com' }), ctx());
    expect(r).toMatchObject({ ok: true, error: null });
    await new Promise((res) => setTimeout(res, 50));
    expect(plain.closed).toContain('probe.example.com');
    expect(await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${plain.port}` }), ctx({ guard: SAAS_LOOPBACK }))).toMatchObject({ ok: true });
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('STARTTLS: used when offered and its certificate checked against the URL name; required or not, offered or not', async () => {
    const before = openSockets();
    const lookups: string[] = [];
    const url = `smtp://${TEST_HOST}:${starttls.port}`;
    expect(await smtpCheck.run(parse({ url, starttls: 'required' }), ctx({ guard: namedGuard(lookups), ca: cert.cert }))).toMatchObject({ ok: true, error: null });
    expect(lookups).toEqual([TEST_HOST]);
    expect(await smtpCheck.run(parse({ url, starttls: 'optional' }), ctx({ guard: namedGuard(), ca: cert.cert }))).toMatchObject({ ok: true });
    expect((await smtpCheck.run(parse({ url, starttls: 'optional' }), ctx({ guard: namedGuard() }))).error).toBe('TLS error: self-signed certificate');
    expect((await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${starttls.port}` }), ctx({ ca: cert.cert }))).error).toBe('TLS error: certificate does not match 127.0.0.1');
    // none: plain text, the certificate is not looked at.
    expect(await smtpCheck.run(parse({ url, starttls: 'none' }), ctx({ guard: namedGuard() }))).toMatchObject({ ok: true });

    const plainUrl = `smtp://127.0.0.1:${plain.port}`;
    expect(await smtpCheck.run(parse({ url: plainUrl, starttls: 'optional' }), ctx())).toMatchObject({ ok: true });
    expect((await smtpCheck.run(parse({ url: plainUrl, starttls: 'required' }), ctx())).error).toBe(`STARTTLS not offered by 127.0.0.1:${plain.port} (required by this check)`);
    expect(await socketsBackTo(before)).toBeLessThanOrEqual(before);
  });

  it('smtps: TLS from the start, with the same certificate checks', async () => {
    const url = `smtps://${TEST_HOST}:${implicit.port}`;
    expect(await smtpCheck.run(parse({ url }), ctx({ guard: namedGuard(), ca: cert.cert }))).toMatchObject({ ok: true });
    expect((await smtpCheck.run(parse({ url }), ctx({ guard: namedGuard() }))).error).toBe('TLS error: self-signed certificate');
    expect((await smtpCheck.run(parse({ url: `smtps://127.0.0.1:${plain.port}` }), ctx())).error).toBe('TLS error: server did not answer with TLS');
  });

  it('down: blocked, refused, a banner other than 220, a server that never greets', async () => {
    expect((await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${plain.port}` }), ctx({ guard: SAAS_GUARD }))).error).toMatch(/^Blocked: 127\.0\.0\.1 is a private or reserved address/);
    const port = await closedPort();
    expect((await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${port}` }), ctx())).error).toBe(`Connection refused by 127.0.0.1:${port}`);

    const busy = await bannerServer('554-mail.example.com\r\n554 5.3.2 Not accepting mail right now\r\n');
    try {
      expect((await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${busy.port}` }), ctx())).error).toBe(
        `Unexpected SMTP banner from 127.0.0.1:${busy.port}: 554 mail.example.com 5.3.2 Not accepting mail right now (expected 220)`,
      );
    } finally {
      await busy.close();
    }
    const http = await bannerServer('HTTP/1.1 400 Bad Request\r\n\r\n');
    try {
      expect((await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${http.port}` }), ctx())).error).toBe('SMTP error: the server did not answer like an SMTP server: HTTP/1.1 400 Bad Request');
    } finally {
      await http.close();
    }

    const silent = await silentServer();
    try {
      const r = await smtpCheck.run(parse({ url: `smtp://127.0.0.1:${silent.port}` }), ctx({ timeoutMs: 500 }));
      expect(r.error).toBe(`Timeout: no SMTP banner from 127.0.0.1:${silent.port} within 0.5 s`);
      expect(await seesClose(silent.accepted[0])).toBe(true);
    } finally {
      await silent.close();
    }
  });
});
