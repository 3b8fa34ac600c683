import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Action, ACTIONS, can, ROLES, type Role } from '../../src/domain/accounts/roles.ts';
import { Client, createMonitorVia, persona } from '../helpers/app.ts';
import { testDbKinds } from '../helpers/env.ts';
import { type FakeStripe, startFakeStripe } from '../helpers/fake-stripe.ts';
import { joinAs, type TeamCtx, uniqueEmail, useTeamApp } from '../helpers/team.ts';

/** What the owner prepared before each request: a monitor, a channel, a maintenance window, a status page with a manual component and a published incident. */
interface Fixture {
  monitorId: number;
  channelId: number;
  windowId: number;
  pageId: number;
  componentId: number;
  postId: number;
}

interface Probe {
  name: string;
  send: (as: Client, f: Fixture) => Promise<Response>;
  /** The exact status an allowed role gets when it is not a success (e.g. a form error); 2xx/3xx otherwise. */
  allowedStatus?: number;
  stripe?: undefined;
}

/** Billing exists only where Stripe is configured: these run against such an instance (see below). */
interface StripeProbe {
  name: string;
  stripe: true;
  send: (as: Client) => Promise<Response>;
}

const isStripe = (p: Probe | StripeProbe): p is StripeProbe => p.stripe === true;

/**
 * One or more representative HTTP requests per action. Every action of the ACTIONS table
 * must appear here with at least one request, so adding an action without deciding its case
 * fails the test.
 */
const CASES: Record<Action, Array<Probe | StripeProbe>> = {
  'account.view': [
    { name: 'GET /dashboard', send: (as) => as.get('/dashboard') },
    { name: 'GET /monitors/:id', send: (as, f) => as.get(`/monitors/${f.monitorId}`) },
    { name: 'GET /settings/members', send: (as) => as.get('/settings/members') },
    { name: 'GET /pages/:id', send: (as, f) => as.get(`/pages/${f.pageId}`) },
    { name: 'GET /pages/:id/sla', send: (as, f) => as.get(`/pages/${f.pageId}/sla`) },
    { name: 'GET /pages/:id/incidents', send: (as, f) => as.get(`/pages/${f.pageId}/incidents`) },
    { name: 'GET /pages/:id/incidents/:id', send: (as, f) => as.get(`/pages/${f.pageId}/incidents/${f.postId}`) },
    { name: 'GET /pages/:id/subscribers', send: (as, f) => as.get(`/pages/${f.pageId}/subscribers`) },
    { name: 'GET /incident-templates', send: (as) => as.get('/incident-templates') },
  ],
  'monitors.write': [
    { name: 'POST /monitors', send: (as) => as.post('/monitors', { name: 'New', url: 'https://example.com/', interval_seconds: '60' }) },
    { name: 'GET /monitors/:id/edit', send: (as, f) => as.get(`/monitors/${f.monitorId}/edit`) },
    { name: 'POST /monitors/:id/edit', send: (as, f) => as.post(`/monitors/${f.monitorId}/edit`, { name: 'Renamed', url: 'https://example.com/', interval_seconds: '120' }) },
    { name: 'POST /monitors/:id/pause', send: (as, f) => as.post(`/monitors/${f.monitorId}/pause`) },
    { name: 'POST /monitors/:id/resume', send: (as, f) => as.post(`/monitors/${f.monitorId}/resume`) },
    { name: 'POST /monitors/:id/check', send: (as, f) => as.post(`/monitors/${f.monitorId}/check`) },
    { name: 'POST /monitors/:id/delete', send: (as, f) => as.post(`/monitors/${f.monitorId}/delete`, { _confirm: '1' }) },
  ],
  'incidents.write': [
    { name: 'GET /pages/:id/incidents/new', send: (as, f) => as.get(`/pages/${f.pageId}/incidents/new`) },
    { name: 'POST /pages/:id/incidents', send: (as, f) => as.post(`/pages/${f.pageId}/incidents`, { title: 'Slow API', state: 'investigating', message: 'Looking into it.', publish: 'now' }) },
    { name: 'POST /pages/:id/incidents/:id/updates', send: (as, f) => as.post(`/pages/${f.pageId}/incidents/${f.postId}/updates`, { state: 'identified', message: 'Found it.' }) },
    { name: 'POST /pages/:id/incidents/:id/edit', send: (as, f) => as.post(`/pages/${f.pageId}/incidents/${f.postId}/edit`, { title: 'Renamed incident' }) },
    { name: 'POST /pages/:id/maintenance', send: (as, f) => as.post(`/pages/${f.pageId}/maintenance`, { title: 'Upgrade', timezone: 'UTC', starts_at: '2031-01-01T02:00', ends_at: '2031-01-01T03:00', message: 'Planned.', publish: 'now', [`component_${f.componentId}`]: 'on' }) },
    { name: 'POST /incident-templates', send: (as) => as.post('/incident-templates', { name: 'DB', state: 'investigating', body: 'The database is slow.' }) },
  ],
  'maintenance.write': [
    { name: 'POST /maintenance', send: (as, f) => as.post('/maintenance', { title: 'Upgrade', type: 'recurring', timezone: 'UTC', cron: '0 3 * * SUN', duration_minutes: '30', [`monitor_${f.monitorId}`]: 'on' }) },
    { name: 'POST /maintenance/:id/end', send: (as, f) => as.post(`/maintenance/${f.windowId}/end`) },
    { name: 'POST /maintenance/:id/delete', send: (as, f) => as.post(`/maintenance/${f.windowId}/delete`, { _confirm: '1' }) },
  ],
  'pages.write': [
    { name: 'POST /pages', send: (as) => as.post('/pages', { title: 'Another page', slug: `another-${Math.random().toString(36).slice(2, 10)}` }) },
    { name: 'POST /pages/:id', send: (as, f) => as.post(`/pages/${f.pageId}`, { title: 'Renamed page', bar_days: '90', accent: '#4f46e5', theme: 'auto', access: 'public' }) },
    { name: 'POST /pages/:id/components/manual', send: (as, f) => as.post(`/pages/${f.pageId}/components/manual`, { name: 'Payments', status: 'operational' }) },
    { name: 'POST /pages/:id/groups', send: (as, f) => as.post(`/pages/${f.pageId}/groups`, { name: 'Europe' }) },
    { name: 'GET /pages/:id/subscribers.csv', send: (as, f) => as.get(`/pages/${f.pageId}/subscribers.csv`) },
    { name: 'POST /pages/:id/delete', send: (as, f) => as.post(`/pages/${f.pageId}/delete`) },
    // The fixture page has no custom domain: an allowed role is told to set one first.
    { name: 'POST /pages/:id/domain/check', allowedStatus: 422, send: (as, f) => as.post(`/pages/${f.pageId}/domain/check`) },
  ],
  'alerts.write': [
    { name: 'POST /settings/alerts', send: (as) => as.post('/settings/alerts', { kind: 'email', name: 'Ops', recipients: 'ops@example.com' }) },
    { name: 'GET /settings/alerts/:id/edit', send: (as, f) => as.get(`/settings/alerts/${f.channelId}/edit`) },
    { name: 'POST /settings/alerts/:id/edit', send: (as, f) => as.post(`/settings/alerts/${f.channelId}/edit`, { name: 'Renamed', recipients: 'ops@example.com' }) },
    { name: 'POST /settings/alerts/:id/enable', send: (as, f) => as.post(`/settings/alerts/${f.channelId}/enable`) },
    { name: 'POST /settings/alerts/:id/delete', send: (as, f) => as.post(`/settings/alerts/${f.channelId}/delete`, { _confirm: '1' }) },
  ],
  'members.manage': [
    { name: 'POST /settings/members/invite', send: (as) => as.post('/settings/members/invite', { email: uniqueEmail('matrix'), role: 'viewer' }) },
  ],
  'account.rename': [{ name: 'POST /settings/account-name', send: (as) => as.post('/settings/account-name', { name: 'Renamed Org' }) }],
  // The test app is self-hosted (no Stripe key), so every plan feature, the API included, is on.
  'apikeys.manage': [
    { name: 'GET /settings/api-keys', send: (as) => as.get('/settings/api-keys') },
    { name: 'POST /settings/api-keys', send: (as) => as.post('/settings/api-keys', { name: 'CI', scope: 'read' }) },
  ],
  'audit.view': [{ name: 'GET /settings/audit', send: (as) => as.get('/settings/audit') }],
  'billing.manage': [
    { name: 'GET /settings/billing', stripe: true, send: (as) => as.get('/settings/billing') },
    { name: 'POST /settings/billing/checkout', stripe: true, send: (as) => as.post('/settings/billing/checkout', { plan: 'pro' }) },
    { name: 'POST /settings/billing/notice/dismiss', stripe: true, send: (as) => as.post('/settings/billing/notice/dismiss') },
  ],
  // A wrong confirmation: the owner gets the form error (nothing is deleted), everyone else 403.
  'account.delete': [
    { name: 'POST /settings/delete-account', allowedStatus: 422, send: (as) => as.post('/settings/delete-account', { confirm: 'not the account name' }) },
  ],
};

function expectAsCan(role: Role, action: Action, probe: Probe | StripeProbe, status: number) {
  const label = `${role} ${action} ${probe.name} → ${status}`;
  if (!can(role, action)) expect(status, label).toBe(403);
  else if (!isStripe(probe) && probe.allowedStatus !== undefined) expect(status, label).toBe(probe.allowedStatus);
  else expect(status >= 200 && status < 400, label).toBe(true);
}

const idFrom = (res: Response, re: RegExp) => Number(re.exec(res.headers.get('location') ?? '')?.[1]);

async function prepare(owner: Client): Promise<Fixture> {
  const monitorId = await createMonitorVia(owner, { name: `M-${Math.random()}` });
  const ch = await owner.post('/settings/alerts', { kind: 'email', name: 'Fixture', recipients: 'fixture@example.com' });
  expect(ch.status).toBe(201);
  const channelId = Number(/\/settings\/alerts\/(\d+)"/.exec(await ch.text())![1]);
  const w = await owner.post('/maintenance', { title: 'Fixture', type: 'recurring', timezone: 'UTC', cron: '0 3 * * SUN', duration_minutes: '30', [`monitor_${monitorId}`]: 'on' });
  expect(w.status).toBe(303);
  const page = await (await owner.get('/maintenance')).text();
  const windowId = Math.max(...[...page.matchAll(/\/maintenance\/(\d+)\/delete/g)].map((m) => Number(m[1])));
  const p = await owner.post('/pages', { title: 'Fixture page', slug: `fixture-${Math.random().toString(36).slice(2, 10)}` });
  expect(p.status).toBe(303);
  const pageId = idFrom(p, /\/pages\/(\d+)/);
  expect((await owner.post(`/pages/${pageId}/components/manual`, { name: 'API', status: 'operational' })).status).toBe(303);
  const editor = await (await owner.get(`/pages/${pageId}`)).text();
  const componentId = Number(/\/components\/(\d+)\/delete/.exec(editor)![1]);
  const post = await owner.post(`/pages/${pageId}/incidents`, { title: 'Fixture incident', state: 'investigating', message: 'Looking into it.', publish: 'now' });
  expect(post.status).toBe(303);
  return { monitorId, channelId, windowId, pageId, componentId, postId: idFrom(post, /\/incidents\/(\d+)$/) };
}

describe('the role matrix cases', () => {
  it('name every action of the permission table', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(ACTIONS).sort());
    for (const [action, probes] of Object.entries(CASES)) expect(probes.length, action).toBeGreaterThan(0);
  });
});

describe.each(testDbKinds())('role enforcement on %s', (kind) => {
  const ctx: TeamCtx = useTeamApp(kind);

  it.each(ROLES)('%s: every representative request is allowed or refused exactly as can() says', async (role: Role) => {
    const owner = await persona(ctx.built.app, 'owner');
    const actor = role === 'owner' ? owner : await joinAs(ctx, owner, role);
    for (const [action, probes] of Object.entries(CASES) as [Action, Array<Probe | StripeProbe>][]) {
      for (const probe of probes) {
        if (isStripe(probe)) continue; // run on a Stripe-configured instance below
        const res = await probe.send(actor, await prepare(owner));
        expectAsCan(role, action, probe, res.status);
      }
    }
  });

  it('credentials stay with the roles that manage them: channel targets and heartbeat push URLs', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const viewer = await joinAs(ctx, owner, 'viewer');
    const hook = await owner.post('/settings/alerts', { kind: 'slack', name: 'Ops', url: 'https://hooks.slack.com/services/T0/B0/very-secret' });
    expect(hook.status).toBe(201);
    const channelId = Number(/\/settings\/alerts\/(\d+)"/.exec(await hook.text())![1]);
    const beat = await owner.post('/monitors', { type: 'heartbeat', name: 'Nightly backup', interval_seconds: '3600', grace_seconds: '300' });
    const monitorId = Number(/\/monitors\/(\d+)$/.exec(beat.headers.get('location') ?? '')![1]);
    const token = (await ctx.t.db.selectFrom('monitors').select('push_token').where('id', '=', monitorId).executeTakeFirstOrThrow()).push_token!;

    const ownerChannel = await (await owner.get(`/settings/alerts/${channelId}`)).text();
    expect(ownerChannel).toContain('https://hooks.slack.com/');
    expect(ownerChannel).not.toContain('very-secret'); // masked once saved, for every role
    const viewerChannel = await (await viewer.get(`/settings/alerts/${channelId}`)).text();
    expect(viewerChannel).not.toContain('very-secret');
    expect(viewerChannel).toMatch(/data-testid="channel-target">[^<]*hooks\.slack\.com/);

    expect(await (await owner.get(`/monitors/${monitorId}`)).text()).toContain(`/push/${token}`);
    const viewerMonitor = await (await viewer.get(`/monitors/${monitorId}`)).text();
    expect(viewerMonitor).not.toContain(token);
    expect(viewerMonitor).toContain('Hidden: the push URL records results');
  });

  it('a refused change leaves the data as it was and says why', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const viewer = await joinAs(ctx, owner, 'viewer');
    const id = await createMonitorVia(owner, { name: 'Keep me' });
    const res = await viewer.post(`/monitors/${id}/delete`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your role (viewer) cannot do this');
    const row = await ctx.t.db.selectFrom('monitors').select(['name', 'is_paused']).where('id', '=', id).executeTakeFirst();
    expect(row).toEqual({ name: 'Keep me', is_paused: 0 });
    expect((await viewer.post(`/monitors/${id}/pause`)).status).toBe(403);
    expect((await ctx.t.db.selectFrom('monitors').select('is_paused').where('id', '=', id).executeTakeFirstOrThrow()).is_paused).toBe(0);
  });

  it("a viewer's dashboard, monitor, alerts and maintenance pages offer no way to change anything", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const viewer = await joinAs(ctx, owner, 'viewer');
    const id = await createMonitorVia(owner, { name: 'Watched' });
    await prepare(owner);
    const dash = await (await viewer.get('/dashboard')).text();
    expect(dash).toContain('Watched');
    for (const forbidden of ['href="/monitors/new"', `/monitors/${id}/delete`, `/monitors/${id}/pause`, `/monitors/${id}/check`, '>Delete<', '>Pause<', 'Check now']) {
      expect(dash, forbidden).not.toContain(forbidden);
    }
    const list = await (await viewer.get('/dashboard/monitors', { 'hx-request': 'true' })).text();
    expect(list).toContain('Watched');
    expect(list).not.toContain(`/monitors/${id}/delete`);
    const show = await (await viewer.get(`/monitors/${id}`)).text();
    expect(show).toContain('SLA report');
    for (const forbidden of [`/monitors/${id}/edit`, `/monitors/${id}/delete`, `/monitors/${id}/pause`, `/monitors/${id}/check`]) expect(show, forbidden).not.toContain(forbidden);
    const alerts = await (await viewer.get('/settings/alerts')).text();
    expect(alerts).toContain('Fixture');
    expect(alerts).not.toContain('action="/settings/alerts"');
    expect(alerts).not.toMatch(/\/settings\/alerts\/\d+\/delete/);
    const maint = await (await viewer.get('/maintenance')).text();
    expect(maint).not.toContain('action="/maintenance"');
    expect(maint).not.toMatch(/\/maintenance\/\d+\/delete/);
    const members = await (await viewer.get('/settings/members')).text();
    expect(members).toContain(owner.email);
    expect(members).not.toContain('action="/settings/members/invite"');
    expect(members).not.toMatch(/\/settings\/members\/\d+\/(role|remove)/);

    // The owner sees all of it.
    const ownerDash = await (await owner.get('/dashboard')).text();
    expect(ownerDash).toContain(`/monitors/${id}/delete`);
    expect(ownerDash).toContain('href="/monitors/new"');
  });

  it("a viewer browses status pages, incidents, templates, subscribers and the SLA report without any control to change them", async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const viewer = await joinAs(ctx, owner, 'viewer');
    const f = await prepare(owner);
    expect((await owner.post(`/pages/${f.pageId}/groups`, { name: 'Europe' })).status).toBe(303);
    const draft = await owner.post(`/pages/${f.pageId}/incidents`, { title: 'Draft incident', state: 'investigating', message: 'Maybe.', publish: 'draft' });
    const draftId = idFrom(draft, /\/incidents\/(\d+)$/);
    expect((await owner.post(`/pages/${f.pageId}/incidents/${f.postId}/updates`, { state: 'resolved', message: 'Fixed.' })).status).toBe(303);
    expect((await owner.post(`/pages/${f.pageId}/incidents/${f.postId}/postmortem`, { postmortem: 'The **cause** was a full disk.' })).status).toBe(303);
    expect((await owner.post('/incident-templates', { name: 'Disk full', state: 'identified', body: 'Disk.' })).status).toBe(303);
    const slug = /href="\/s\/([a-z0-9-]+)"/.exec(await (await owner.get(`/pages/${f.pageId}`)).text())![1];
    const visitor = new Client(ctx.built.app);
    const form = await (await visitor.get(`/s/${slug}/subscribe`)).text();
    const token = /name="form_token" value="([^"]+)"/.exec(form)![1]!;
    const sub = await visitor.raw(`/s/${slug}/subscribe`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://statusping.test' }, body: new URLSearchParams({ form_token: token, kind: 'email', address: 'reader@example.com' }).toString() });
    expect(sub.status).toBeLessThan(400);

    // The list of pages: no create form, no delete, but a way in.
    const list = await (await viewer.get('/pages')).text();
    expect(list).toContain(`href="/pages/${f.pageId}"`);
    expect(list).not.toContain('action="/pages"');
    expect(list).not.toContain(`/pages/${f.pageId}/delete`);
    expect(list).toContain('Your role (viewer) can see the pages');

    // The editor: settings in a disabled fieldset without Save, components listed without forms.
    const editor = await (await viewer.get(`/pages/${f.pageId}`)).text();
    expect(editor).toContain('<fieldset class="space-y-4" disabled>');
    expect(editor).not.toContain('>Save</button>');
    expect(editor).toContain('API');
    expect(editor).toContain('Europe');
    expect(editor).toContain(`href="/pages/${f.pageId}/sla"`);
    for (const forbidden of ['/components/manual', '/components/monitor', `/pages/${f.pageId}/groups`, `/components/${f.componentId}/`, '/assets/logo', '/assets/favicon', `/pages/${f.pageId}/delete`]) {
      expect(editor, forbidden).not.toContain(forbidden);
    }
    // The only form left is the disabled settings form (besides the top bar's own).
    const actions = [...editor.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]).filter((x) => !['/logout', '/account/switch', '/settings/verify-email'].includes(x!));
    expect(actions).toEqual([`/pages/${f.pageId}`]);
    expect((await viewer.get(`/pages/${f.pageId}/sla`)).status).toBe(200);

    // Incidents: readable, with the post-mortem, but nothing to post, publish, edit or discard.
    const incidents = await (await viewer.get(`/pages/${f.pageId}/incidents`)).text();
    expect(incidents).toContain('Fixture incident');
    expect(incidents).toContain('Draft incident');
    expect(incidents).toContain('href="/incident-templates"');
    for (const forbidden of ['/incidents/new', '/maintenance/new', `/incidents/${draftId}/publish`, `/incidents/${draftId}/discard`]) expect(incidents, forbidden).not.toContain(forbidden);
    const post = await (await viewer.get(`/pages/${f.pageId}/incidents/${f.postId}`)).text();
    expect(post).toContain('Fixed.');
    expect(post).toContain('<strong>cause</strong>');
    for (const forbidden of ['/updates"', '/postmortem"', '/edit"', '/publish"', '/discard"', '/complete"']) expect(post, forbidden).not.toContain(forbidden);
    const draftPage = await (await viewer.get(`/pages/${f.pageId}/incidents/${draftId}`)).text();
    expect(draftPage).toContain('Draft — not public');
    expect(draftPage).not.toContain(`/incidents/${draftId}/publish`);

    // Templates and subscribers: listed, nothing to change or export.
    const templates = await (await viewer.get('/incident-templates')).text();
    expect(templates).toContain('Disk full');
    expect(templates).not.toContain('action="/incident-templates');
    expect(templates).not.toContain('/incident-templates?edit=');
    const subscribers = await (await viewer.get(`/pages/${f.pageId}/subscribers`)).text();
    // Addresses are personal data: a viewer sees that there are subscribers, not who they are.
    expect(subscribers).toContain('r•••@example.com');
    expect(subscribers).not.toContain('reader@example.com');
    expect(subscribers).not.toContain('subscribers.csv');
    expect(subscribers).not.toMatch(/\/subscribers\/\d+\/delete/);
    expect((await viewer.get(`/pages/${f.pageId}/subscribers.csv`)).status).toBe(403);

    // The owner gets every control on the same pages.
    const ownerEditor = await (await owner.get(`/pages/${f.pageId}`)).text();
    expect(ownerEditor).toContain('>Save</button>');
    expect(ownerEditor).toContain(`action="/pages/${f.pageId}/components/manual"`);
    expect(await (await owner.get(`/pages/${f.pageId}/incidents`)).text()).toContain(`/incidents/${draftId}/publish`);
    const ownerView = await (await owner.get(`/pages/${f.pageId}/subscribers`)).text();
    expect(ownerView).toContain('subscribers.csv');
    expect(ownerView).toContain('reader@example.com');
  });

  it('a member manages monitors, maintenance and incidents but sees alert channels, page settings and subscribers read-only', async () => {
    const owner = await persona(ctx.built.app, 'owner');
    const member = await joinAs(ctx, owner, 'member');
    const id = await createMonitorVia(owner);
    const dash = await (await member.get('/dashboard')).text();
    expect(dash).toContain(`/monitors/${id}/delete`);
    const alerts = await (await member.get('/settings/alerts')).text();
    expect(alerts).not.toContain('action="/settings/alerts"');
    const maint = await (await member.get('/maintenance')).text();
    expect(maint).toContain('action="/maintenance"');
    const f = await prepare(owner);
    const editor = await (await member.get(`/pages/${f.pageId}`)).text();
    expect(editor).toContain('<fieldset class="space-y-4" disabled>');
    expect(editor).not.toContain('/components/manual');
    const incidents = await (await member.get(`/pages/${f.pageId}/incidents`)).text();
    expect(incidents).toContain(`href="/pages/${f.pageId}/incidents/new"`);
    const post = await (await member.get(`/pages/${f.pageId}/incidents/${f.postId}`)).text();
    expect(post).toContain(`action="/pages/${f.pageId}/incidents/${f.postId}/updates"`);
    expect(await (await member.get('/incident-templates')).text()).toContain('action="/incident-templates"');
    expect(await (await member.get(`/pages/${f.pageId}/subscribers`)).text()).not.toContain('subscribers.csv');
    // The settings page links only to what the role may open.
    const settings = await (await member.get('/settings')).text();
    expect(settings).not.toContain('href="/settings/api-keys"');
    expect(await (await owner.get('/settings')).text()).toContain('href="/settings/api-keys"');
  });
});

/**
 * Billing pages exist only where Stripe is configured (a self-hosted instance answers 404 to
 * everyone), so the billing.manage cases run on an instance pointed at the local fake Stripe.
 */
describe.each(testDbKinds())('billing role enforcement with Stripe on %s', (kind) => {
  let fake: FakeStripe;
  const env: Record<string, string> = {};
  const ctx: TeamCtx = useTeamApp(kind, env);
  beforeAll(async () => {
    fake = await startFakeStripe();
    Object.assign(env, fake.env());
  });
  afterAll(() => fake.close());

  it.each(ROLES)('%s: every billing request is allowed or refused exactly as can() says', async (role: Role) => {
    const owner = await persona(ctx.built.app, 'owner');
    const actor = role === 'owner' ? owner : await joinAs(ctx, owner, role);
    const before = fake.requests.length;
    let ran = 0;
    for (const [action, probes] of Object.entries(CASES) as [Action, Array<Probe | StripeProbe>][]) {
      for (const probe of probes.filter(isStripe)) {
        expectAsCan(role, action, probe, (await probe.send(actor)).status);
        ran++;
      }
    }
    expect(ran).toBe(CASES['billing.manage'].length);
    // Only the owner's checkout reached Stripe.
    expect(fake.requests.length > before, 'Stripe was called').toBe(role === 'owner');
  });
});
