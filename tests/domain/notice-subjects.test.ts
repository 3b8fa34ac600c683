import { describe, expect, it } from 'vitest';
import { completeMaintenance, createMaintenance, tickMaintenance } from '../../src/domain/statuspages/posts.maintenance.ts';
import { createIncident, postUpdate, publishPost, resolveIncident } from '../../src/domain/statuspages/posts.service.ts';
import type { OutboxPayload } from '../../src/domain/subscribers/notify.ts';
import { renderNotice } from '../../src/domain/subscribers/messages.ts';
import { useCheckFlow } from '../helpers/check-flow.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, TEST_ALERTS } from '../helpers/fixtures.ts';
import { componentFor } from '../helpers/posts.ts';

describe.each(testDbKinds())('subscriber notices say where things stand in their subject on %s', (kind) => {
  const ctx = useCheckFlow(kind);

  async function setup(autoPublish = false) {
    const { account } = await makeAccount(ctx.t.db);
    const m = await makeMonitor(ctx.t.db, account.id, { name: 'Flappy', url: `${ctx.target.url}/flip`, failure_threshold: 1 });
    const page = await ctx.t.db.selectFrom('status_pages').select(['id', 'slug']).where('account_id', '=', account.id).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('status_pages').set({ auto_publish: autoPublish ? 1 : 0, title: 'Acme Status' }).where('id', '=', page.id).execute();
    const componentId = await componentFor(ctx.t.db, page.id, m.id);
    const now = ctx.clock.now();
    await ctx.t.db.insertInto('subscribers').values({ page_id: page.id, kind: 'email', address: 'fan@example.com', component_ids: null, token: 'tok-fan', confirmed_at: now, created_at: now, secret: null }).execute();
    return { account, m, page, componentId, deps: { db: ctx.t.db, clock: ctx.clock, baseUrl: TEST_ALERTS.baseUrl } };
  }

  /** The subjects queued for the subscriber, oldest first. */
  async function subjects(): Promise<string[]> {
    const rows = await ctx.t.db.selectFrom('subscriber_outbox').select('payload').orderBy('id').execute();
    return rows.map((r) => {
      const p = JSON.parse(r.payload) as OutboxPayload;
      return p.kind === 'notice' ? p.notice.subject : `(${p.kind})`;
    });
  }

  it('an outage post published at once, then resolved by the recovery: "Investigating: …", then "Resolved: …"', async () => {
    const { m } = await setup(true);
    ctx.target.healthy = false;
    await ctx.check(m.id);
    ctx.target.healthy = true;
    await ctx.check(m.id);
    expect(await subjects()).toEqual(['Investigating: Flappy is down', 'Resolved: Flappy is down']);
    // The email's subject carries it, after the page's name.
    const row = await ctx.t.db.selectFrom('subscriber_outbox').select('payload').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const notice = (JSON.parse(row.payload) as Extract<OutboxPayload, { kind: 'notice' }>).notice;
    const mail = renderNotice(notice, { title: 'Acme Status', url: 'https://x.test/s/acme' }, { kind: 'email', address: 'fan@example.com', secret: null, unsubscribeUrl: 'https://x.test/u' }, { idempotencyKey: 'k', timestamp: 1 });
    expect(mail).toMatchObject({ type: 'mail', subject: '[Acme Status] Resolved: Flappy is down' });
    expect(mail.type === 'mail' && mail.html).toContain('<h2 style="margin:0 0 12px">Resolved: Flappy is down</h2>');
  });

  it('incident updates lead with their state, and publishing a draft with its current state', async () => {
    const { account, page, componentId, deps } = await setup();
    const id = await createIncident(deps, account.id, page.id, { title: 'Slow API', state: 'identified', message: 'A bad deploy.', publish: 'now', [`impact_${componentId}`]: 'degraded_performance' });
    await postUpdate(deps, account.id, page.id, id, { state: 'monitoring', message: 'Fix rolled out.' });
    await resolveIncident(deps, account.id, page.id, id, undefined);
    await postUpdate(deps, account.id, page.id, id, { state: 'investigating', message: 'It is back.' });
    const draft = await createIncident(deps, account.id, page.id, { title: 'Old one', state: 'resolved', message: 'Fixed already.', [`impact_${componentId}`]: 'major_outage' });
    await publishPost(deps, account.id, page.id, draft);
    expect(await subjects()).toEqual(['Identified: Slow API', 'Monitoring: Slow API', 'Resolved: Slow API', 'Investigating: Slow API', 'Resolved: Old one']);
  });

  it('maintenance notices name their step: scheduled, in progress, update, completed', async () => {
    const { account, page, componentId, deps } = await setup();
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const start = ctx.clock.now() + 60 * 60_000;
    const id = await createMaintenance(deps, account.id, page.id, { title: 'DB upgrade', message: 'm', timezone: 'UTC', starts_at: iso(start), ends_at: iso(start + 60 * 60_000), [`component_${componentId}`]: 'on', publish: 'now' });
    ctx.clock.set(start + 1000);
    await tickMaintenance(deps);
    await postUpdate(deps, account.id, page.id, id, { message: 'Running late.' });
    await completeMaintenance(deps, account.id, page.id, id);
    expect(await subjects()).toEqual(['Maintenance scheduled: DB upgrade', 'Maintenance in progress: DB upgrade', 'Maintenance update: DB upgrade', 'Maintenance completed: DB upgrade']);
  });
});
