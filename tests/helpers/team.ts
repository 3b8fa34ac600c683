import { afterEach, beforeEach } from 'vitest';
import { buildApp, Client } from './app.ts';
import { openTestDb, type TestDb } from './db.ts';
import type { TestDbKind } from './env.ts';
import { invitePath, type SmtpSink, useSmtp } from './smtp.ts';

let seq = 0;

export interface TeamCtx {
  t: TestDb;
  built: ReturnType<typeof buildApp>;
  smtp: SmtpSink;
}

/**
 * A fresh database and app per test whose mail goes to a real local SMTP server; `env`
 * overrides configuration (e.g. ALLOW_SIGNUP=0).
 */
export function useTeamApp(kind: TestDbKind, env: Record<string, string> = {}): TeamCtx {
  const ctx = { smtp: useSmtp() } as TeamCtx;
  beforeEach(async () => {
    ctx.t = await openTestDb(kind);
    ctx.built = buildApp(ctx.t.db, { SMTP_URL: ctx.smtp.url, BASE_URL: 'http://statusping.test', ...env });
  });
  afterEach(() => ctx.t.close());
  return ctx;
}

export function uniqueEmail(name: string): string {
  return `${name}-${process.pid}-${seq++}@example.com`;
}

/** Invites through the members form and returns the link path from the email that arrived. */
export async function inviteVia(ctx: TeamCtx, by: Client, email: string, role: string): Promise<string> {
  const since = ctx.smtp.mails.length;
  const res = await by.post('/settings/members/invite', { email, role });
  if (res.status !== 303) throw new Error(`invite failed: ${res.status} ${await res.text()}`);
  return invitePath(await ctx.smtp.waitFor(email, since));
}

/** A new user who joins the inviter's account with a role by signing up through the link. */
export async function joinAs(ctx: TeamCtx, by: Client, role: string, name = role): Promise<Client & { email: string }> {
  const email = uniqueEmail(name);
  const link = await inviteVia(ctx, by, email, role);
  const client = new Client(ctx.built.app) as Client & { email: string };
  client.email = email;
  await client.get(link);
  const res = await client.post(link, { password: 'correct horse battery' });
  if (res.status !== 303) throw new Error(`accept failed: ${res.status} ${await res.text()}`);
  await client.get('/dashboard');
  return client;
}
