import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteOwnAccount } from '../../src/domain/accounts/deletion.service.ts';
import { deleteUserAsAdmin } from '../../src/domain/admin/user-deletion.service.ts';
import * as channels from '../../src/domain/alerts/channels.repository.ts';
import { recordResult } from '../../src/domain/checks/checks.service.ts';
import { ManualClock, MINUTE } from '../../src/lib/clock.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { testDbKinds } from '../helpers/env.ts';
import { makeAccount, makeMonitor, TEST_CHECKS } from '../helpers/fixtures.ts';
import { countReferences, listTables, ownedRows } from '../helpers/schema-walk.ts';

/** Tables that must hold data of an account in the fixture below, so the walk proves something for each. */
const ACCOUNT_TABLES = [
  'accounts', 'memberships', 'sessions', 'monitors', 'check_results', 'rollups_hourly', 'rollups_daily', 'incidents',
  'alert_channels', 'monitor_channels', 'outbox', 'deliveries', 'maintenance_windows', 'maintenance_monitors',
  'monitor_screenshots', 'status_pages', 'page_assets', 'page_groups', 'page_components', 'page_incidents',
  'page_incident_components', 'page_incident_updates', 'incident_templates', 'subscribers', 'subscriber_outbox',
  'invitations', 'user_tokens', 'api_keys', 'audit_log', 'users',
];

describe.each(testDbKinds())('account deletion on %s', (kind) => {
  let t: TestDb;
  let clock: ManualClock;
  beforeEach(async () => {
    t = await openTestDb(kind);
    clock = new ManualClock(Date.UTC(2026, 10, 20, 12));
  });
  afterEach(() => t.close());

  let seq = 0;
  /** An account with a row in every table that can hold account data, made through real verbs where they exist. */
  async function populatedAccount(name: string) {
    const db = t.db;
    const signed = await makeAccount(db, clock, name);
    const accountId = signed.account.id;
    const userId = signed.user.id;
    const now = clock.now();
    const k = `${name}-${seq++}`;
    const m = await makeMonitor(db, accountId, { name: `${name} API` });
    const channelId = await channels.insert(db, { accountId, kind: 'email', name: 'Ops', config: { recipients: 'ops@example.com' }, isDefault: false, now });
    await db.insertInto('monitor_channels').values({ monitor_id: m.id, channel_id: channelId }).execute();
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      await recordResult(db, m.id, { ok: false, statusCode: 500, responseMs: 12, error: 'Unexpected status 500' }, clock.now(), TEST_CHECKS);
    }
    const outbox = await db.selectFrom('outbox').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    await db.insertInto('deliveries').values({ outbox_id: outbox.id, account_id: accountId, channel_id: channelId, attempt: 1, attempted_at: now, ok: 1, response: '250 OK', error: null }).execute();
    const win = await db.insertInto('maintenance_windows').values({ account_id: accountId, title: 'DB upgrade', starts_at: now, ends_at: now + MINUTE, cron: null, duration_minutes: null, timezone: 'UTC', ended_at: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('maintenance_monitors').values({ window_id: win.id, monitor_id: m.id }).execute();
    await db.insertInto('monitor_screenshots').values({ monitor_id: m.id, taken_at: now, png: Buffer.from('png') }).execute();
    const page = await db.selectFrom('status_pages').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    await db.insertInto('page_assets').values({ page_id: page.id, kind: 'logo', content_type: 'image/png', data: Buffer.from('logo'), updated_at: now }).execute();
    const group = await db.insertInto('page_groups').values({ page_id: page.id, name: 'Core', position: 0 }).returning('id').executeTakeFirstOrThrow();
    // A new public monitor is on the first page already; put it in a group.
    const comp = await db.updateTable('page_components').set({ group_id: group.id }).where('page_id', '=', page.id).where('monitor_id', '=', m.id).returning('id').executeTakeFirstOrThrow();
    const incident = await db.selectFrom('incidents').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    // The outage prepared a draft post on the page; one more post is added by hand.
    expect(await db.selectFrom('page_incidents').select('id').where('incident_id', '=', incident.id).execute()).toHaveLength(1);
    const pi = await db
      .insertInto('page_incidents')
      .values({ account_id: accountId, page_id: page.id, kind: 'incident', title: 'Outage', state: 'investigating', published_at: now, postmortem: null, incident_id: null, maintenance_window_id: win.id, scheduled_start: null, scheduled_end: null, created_at: now, updated_at: now, resolved_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('page_incident_components').values({ page_incident_id: pi.id, component_id: comp.id, impact: 'major_outage' }).execute();
    await db.insertInto('page_incident_updates').values({ page_incident_id: pi.id, state: 'investigating', body: 'Looking', created_at: now }).execute();
    await db.insertInto('incident_templates').values({ account_id: accountId, name: 'T', title: 'T', state: 'investigating', body: 'B', created_at: now }).execute();
    const sub = await db.insertInto('subscribers').values({ page_id: page.id, kind: 'email', address: `sub-${k}@example.com`, component_ids: null, token: `tok-${k}`, confirmed_at: now, created_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('subscriber_outbox').values({ page_id: page.id, subscriber_id: sub.id, event: 'incident', idempotency_key: `idem-${k}`, payload: '{}', status: 'pending', attempts: 0, next_attempt_at: now, claimed_until: null, last_error: null, created_at: now, sent_at: null }).execute();
    await db.insertInto('invitations').values({ account_id: accountId, email: `invitee-${k}@example.com`, role: 'member', token_hash: `inv-${k}`, invited_by: userId, created_at: now, expires_at: now + MINUTE, accepted_at: null, revoked_at: null }).execute();
    await db.insertInto('user_tokens').values({ user_id: userId, purpose: 'verify_email', token_hash: `ut-${k}`, new_email: signed.user.email, created_at: now, expires_at: now + MINUTE, used_at: null }).execute();
    const key = await db.insertInto('api_keys').values({ account_id: accountId, name: 'CI', scope: 'read', prefix: 'sp_x', key_hash: `key-${k}`, created_by: userId, created_at: now, last_used_at: null, revoked_at: null }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('audit_log').values({ account_id: accountId, user_id: userId, api_key_id: key.id, actor: 'x', action: 'monitor.created', ip: null, created_at: now }).execute();
    return { signed, monitorId: m.id };
  }

  it('deleting an account leaves no row of any table that belongs to it, and another account is untouched', async () => {
    const a = await populatedAccount('Doomed');
    const b = await populatedAccount('Survivor');
    const ownedA = await ownedRows(t.db, { accounts: [a.signed.account.id], users: [a.signed.user.id] });
    const ownedB = await ownedRows(t.db, { accounts: [b.signed.account.id], users: [b.signed.user.id] });
    const before = { a: await countReferences(t.db, ownedA), b: await countReferences(t.db, ownedB) };
    for (const table of ACCOUNT_TABLES) {
      expect(before.a[table], `fixture has ${table} rows for A`).toBeGreaterThan(0);
      expect(before.b[table], `fixture has ${table} rows for B`).toBeGreaterThan(0);
    }

    await expect(deleteOwnAccount(t, a.signed.account.id, a.signed.user.id, { confirm: 'Wrong name', password: 'correct horse' })).rejects.toThrow(/Type the account name/);
    await expect(deleteOwnAccount(t, a.signed.account.id, a.signed.user.id, { confirm: 'Doomed', password: 'nope' })).rejects.toThrow(/password is not correct/);
    expect((await countReferences(t.db, ownedA)).monitors).toBeGreaterThan(0);

    const { deletedUserIds } = await deleteOwnAccount(t, a.signed.account.id, a.signed.user.id, { confirm: 'Doomed', password: 'correct horse' });
    expect(deletedUserIds).toEqual([a.signed.user.id]);

    const after = { a: await countReferences(t.db, ownedA), b: await countReferences(t.db, ownedB) };
    // Every table of the schema, including ones added after this test was written.
    expect(Object.keys(after.a).sort()).toEqual(await listTables(t.db));
    for (const [table, n] of Object.entries(after.a)) expect(n, `${table} rows still referencing the deleted account`).toBe(0);
    expect(after.b).toEqual(before.b);
  });

  it('the slug also confirms, and a member who has another account keeps their login', async () => {
    const a = await makeAccount(t.db, clock, 'Shared Co');
    const other = await makeAccount(t.db, clock, 'Elsewhere');
    await t.db.insertInto('memberships').values({ account_id: a.account.id, user_id: other.user.id, role: 'member', created_at: clock.now() }).execute();
    const { deletedUserIds } = await deleteOwnAccount(t, a.account.id, a.user.id, { confirm: a.account.slug, password: 'correct horse' });
    expect(deletedUserIds).toEqual([a.user.id]);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', other.user.id).executeTakeFirst()).toBeDefined();
    expect(await t.db.selectFrom('accounts').select('id').where('id', '=', other.account.id).executeTakeFirst()).toBeDefined();
  });

  it('an admin deleting a user deletes the accounts left without members; shared accounts keep going with a new owner', async () => {
    const admin = await makeAccount(t.db, clock, 'Admin Org');
    const target = await populatedAccount('Target');
    const shared = await makeAccount(t.db, clock, 'Shared');
    const teammate = await makeAccount(t.db, clock, 'Mate');
    await t.db.insertInto('memberships').values({ account_id: shared.account.id, user_id: target.signed.user.id, role: 'owner', created_at: clock.now() }).execute();
    await t.db.updateTable('memberships').set({ role: 'admin' }).where('account_id', '=', shared.account.id).where('user_id', '=', shared.user.id).execute();
    await t.db.insertInto('memberships').values({ account_id: shared.account.id, user_id: teammate.user.id, role: 'member', created_at: clock.now() }).execute();
    const owned = await ownedRows(t.db, { accounts: [target.signed.account.id], users: [target.signed.user.id] });

    await expect(deleteUserAsAdmin({ db: t.db, clock }, { userId: admin.user.id, email: admin.user.email }, admin.user.id, null)).rejects.toThrow(/cannot delete your own/);
    const r = await deleteUserAsAdmin({ db: t.db, clock }, { userId: admin.user.id, email: admin.user.email }, target.signed.user.id, '127.0.0.1');
    expect(r.deletedAccountIds).toEqual([target.signed.account.id]);
    for (const [table, n] of Object.entries(await countReferences(t.db, owned))) expect(n, table).toBe(0);
    // The shared account survives; its admin became the owner, and the audit log says so.
    const roles = await t.db.selectFrom('memberships').select(['user_id', 'role']).where('account_id', '=', shared.account.id).orderBy('user_id').execute();
    expect(roles).toEqual([{ user_id: shared.user.id, role: 'owner' }, { user_id: teammate.user.id, role: 'member' }]);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor']).where('account_id', '=', shared.account.id).orderBy('id').execute();
    expect(audit).toEqual([{ action: 'admin.user_deleted', actor: admin.user.email }, { action: 'member.role_changed', actor: admin.user.email }]);
  });
});
