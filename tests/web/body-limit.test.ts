import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, createMonitorVia, monitorForm, persona, useAppPerTest } from '../helpers/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { settingsPath } from '../helpers/pages.ts';
import { ownerWithPage } from '../helpers/posts.ts';

interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** Bytes of the request body written when the answer's head arrived. */
  sentBeforeAnswer: number;
}

/**
 * POSTs a body over a real socket: `endless` writes 16 KB chunks (chunked, no Content-Length)
 * and never ends the body; otherwise `declared` is sent as Content-Length and only the first
 * 1 KB of it is written.
 */
function post(port: number, path: string, opts: { endless?: boolean; declared?: number; body?: string; type?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers: Record<string, string | number> = { 'content-type': opts.type ?? 'application/x-www-form-urlencoded', accept: 'text/html' };
    if (opts.declared !== undefined) headers['content-length'] = opts.declared;
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body, sentBeforeAnswer });
        req.destroy();
      });
    });
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const timer = setTimeout(() => {
      if (!answered) reject(new Error(`no answer after ${sent} bytes`));
      req.destroy();
    }, 10_000);
    req.on('close', () => clearTimeout(timer));
    if (opts.body !== undefined) return void req.end(opts.body);
    const chunk = Buffer.alloc(16 * 1024, 'a');
    if (opts.declared !== undefined) {
      sent += 1024;
      return void req.write(chunk.subarray(0, 1024));
    }
    // Never ends: keeps writing as fast as the socket takes it until the answer comes (or
    // 64 MB went unanswered: then it only waits, so a regression fails instead of eating memory).
    const pump = () => {
      while (!answered && !req.destroyed && sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

describe.each(testDbKinds())('request body limit over real sockets on %s', (kind) => {
  let t: TestDb;
  let server: Server;
  let port: number;
  let built: ReturnType<typeof buildApp>;

  beforeEach(async () => {
    t = await openTestDb(kind);
    built = buildApp(t.db);
    server = serve({ fetch: built.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await t.close();
  });

  /** A heartbeat's push token, a public status page and a password-protected one, as strangers see them. */
  async function targets() {
    await persona(built.app, 'public');
    const open = (await t.db.selectFrom('status_pages').select('slug').executeTakeFirstOrThrow()).slug;
    const owner = await persona(built.app, 'owner');
    const id = await createMonitorVia(owner, { type: 'heartbeat', name: 'Nightly', url: '' });
    const token = (await t.db.selectFrom('monitors').select('push_token').where('id', '=', id).executeTakeFirstOrThrow()).push_token!;
    const set = await owner.post(await settingsPath(owner), { title: 'Acme', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'password', page_password: 'open sesame' });
    expect(set.status).toBe(303);
    const slug = (await t.db.selectFrom('status_pages').select('slug').orderBy('id', 'desc').executeTakeFirstOrThrow()).slug;
    return { token, slug, open };
  }

  it('answers 413 to an endless chunked body on each pre-login route while the client is still sending', async () => {
    const { token, slug, open } = await targets();
    for (const path of [`/push/${token}`, `/push/${token}/fail`, `/s/${open}/subscribe`, `/s/${slug}/unlock`]) {
      const res = await post(port, path, { endless: true });
      expect(res.status, path).toBe(413);
      // The answer came after at most the budget and what was in flight, far from "everything".
      expect(res.sentBeforeAnswer, path).toBeLessThan(8 * 1024 * 1024);
      if (path.startsWith('/push/')) {
        expect(JSON.parse(res.body)).toEqual({ error: { code: 'payload_too_large', message: 'The request body is larger than 100 KB' } });
      } else {
        expect(res.contentType).toContain('text/html');
        expect(res.body).toContain('The request body is larger than 16 KB');
      }
    }
    // Nothing was recorded from the refused pings.
    expect(await t.db.selectFrom('monitors').select('last_ping_at').executeTakeFirstOrThrow()).toEqual({ last_ping_at: null });
  });

  it('answers 413 at once to a declared Content-Length over the budget, before the body is sent', async () => {
    const { token, slug, open } = await targets();
    for (const path of [`/push/${token}/start`, `/s/${open}/subscribe`, `/s/${slug}/unlock`, '/login', '/api/v1/monitors']) {
      const res = await post(port, path, { declared: 50 * 1024 * 1024 });
      expect(res.status, path).toBe(413);
      expect(res.sentBeforeAnswer).toBe(1024);
    }
    const api = await post(port, '/api/v1/monitors', { declared: 70_000, type: 'application/json' });
    expect(JSON.parse(api.body)).toEqual({ error: { code: 'payload_too_large', message: 'The request body is larger than 64 KB', details: {} } });
  });

  it('small bodies still reach the routes', async () => {
    const { token, slug, open } = await targets();
    const ping = await post(port, `/push/${token}/fail`, { body: 'backup failed: disk full' });
    expect(ping.status).toBe(200);
    expect(JSON.parse(ping.body)).toEqual({ ok: true, recorded: true });
    const unlock = await post(port, `/s/${slug}/unlock`, { body: 'password=open%20sesame' });
    expect(unlock.status).toBe(303);
    // The form token is missing, so the subscribe form asks again: the body was read, not refused.
    const subscribe = await post(port, `/s/${open}/subscribe`, { body: 'kind=email&address=a%40example.com' });
    expect(subscribe.status).toBe(403);
    expect(subscribe.body).toContain('This form has expired');
  });
});

describe.each(testDbKinds())('request body budgets on %s', (kind) => {
  const ctx = useAppPerTest(kind);

  it('a dashboard form over 64 KB gets a short page (or an htmx fragment), not JSON', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const page = await owner.post('/monitors', monitorForm({ keyword: 'x'.repeat(70_000) }));
    expect(page.status).toBe(413);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('The request body is larger than 64 KB');
    const fragment = await owner.post('/monitors', monitorForm({ keyword: 'x'.repeat(70_000) }), { 'hx-request': 'true' });
    expect(fragment.status).toBe(413);
    expect(await fragment.text()).toBe('<div class="alert alert-error" role="alert">The request body is larger than 64 KB</div>');
    expect(await ctx.t.db.selectFrom('monitors').select('id').execute()).toHaveLength(0);
  });

  it('a logo upload has room for a 256 KB image (a form error), and more than 1 MB is refused', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    await owner.get(`/pages/${pageId}`);
    const upload = (bytes: number) => {
      const fd = new FormData();
      fd.set('_csrf', owner.csrf);
      fd.set('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'logo.png');
      return owner.raw(`/pages/${pageId}/assets/logo`, { method: 'POST', body: fd });
    };
    expect((await upload(300 * 1024)).status).toBe(422);
    const big = await upload(1100 * 1024);
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('The request body is larger than 1 MB');
  });

  it('a post-mortem of 50,000 non-ASCII characters (300 KB URL-encoded) fits its larger budget', async () => {
    const { owner, pageId } = await ownerWithPage(ctx.built.app, ctx.t.db);
    const created = await owner.post(`/pages/${pageId}/incidents`, { title: 'Outage', state: 'resolved', message: 'Fixed.', publish: 'now' });
    expect(created.status).toBe(303);
    const id = Number(/\/incidents\/(\d+)$/.exec(created.headers.get('location') ?? '')?.[1]);
    const text = 'é'.repeat(50_000);
    const res = await owner.post(`/pages/${pageId}/incidents/${id}/postmortem`, { postmortem: text });
    expect(res.status).toBe(303);
    expect((await ctx.t.db.selectFrom('page_incidents').select('postmortem').where('id', '=', id).executeTakeFirstOrThrow()).postmortem).toBe(text);
  });
});
