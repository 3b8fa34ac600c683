import type { Kysely, Selectable } from 'kysely';
import { isDbId } from '../../lib/ids.ts';
import type { Database } from '../../db/schema.ts';
import type { Channel, ChannelKind } from './alerts.ts';

type DbLike = Kysely<Database>;

function toChannel(r: Selectable<Database['alert_channels']>): Channel {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind as ChannelKind,
    name: r.name,
    config: JSON.parse(r.config) as Record<string, string>,
    isDefault: r.is_default === 1,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
  };
}

export async function listByAccount(db: DbLike, accountId: number): Promise<Channel[]> {
  const rows = await db.selectFrom('alert_channels').selectAll().where('account_id', '=', accountId).orderBy('name').orderBy('id').execute();
  return rows.map(toChannel);
}

export async function findInAccount(db: DbLike, accountId: number, id: number): Promise<Channel | undefined> {
  if (!isDbId(id)) return undefined;
  const r = await db.selectFrom('alert_channels').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return r && toChannel(r);
}

/** Unscoped, for the dispatcher. */
export async function findById(db: DbLike, id: number): Promise<Channel | undefined> {
  const r = await db.selectFrom('alert_channels').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toChannel(r);
}

export async function insert(db: DbLike, v: { accountId: number; kind: ChannelKind; name: string; config: Record<string, string>; isDefault: boolean; now: number }) {
  const r = await db
    .insertInto('alert_channels')
    .values({
      account_id: v.accountId,
      kind: v.kind,
      name: v.name,
      config: JSON.stringify(v.config),
      is_default: v.isDefault ? 1 : 0,
      disabled_at: null,
      disabled_reason: null,
      created_at: v.now,
      updated_at: v.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Name, default flag and settings; `enable` also clears a disabled state. Kind, monitors and log stay. */
export async function updateInAccount(
  db: DbLike,
  accountId: number,
  id: number,
  v: { name: string; config: Record<string, string>; isDefault: boolean; enable: boolean; now: number },
): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db
    .updateTable('alert_channels')
    .set({
      name: v.name,
      config: JSON.stringify(v.config),
      is_default: v.isDefault ? 1 : 0,
      updated_at: v.now,
      ...(v.enable ? { disabled_at: null, disabled_reason: null } : {}),
    })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteInAccount(db: DbLike, accountId: number, id: number): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db.deleteFrom('alert_channels').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function disable(db: DbLike, id: number, reason: string, now: number) {
  await db.updateTable('alert_channels').set({ disabled_at: now, disabled_reason: reason, updated_at: now }).where('id', '=', id).execute();
}

export async function enableInAccount(db: DbLike, accountId: number, id: number, now: number): Promise<boolean> {
  if (!isDbId(id)) return false;
  const r = await db
    .updateTable('alert_channels')
    .set({ disabled_at: null, disabled_reason: null, updated_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function defaultIds(db: DbLike, accountId: number): Promise<number[]> {
  const rows = await db.selectFrom('alert_channels').select('id').where('account_id', '=', accountId).where('is_default', '=', 1).execute();
  return rows.map((r) => r.id);
}

export async function monitorChannelIds(db: DbLike, monitorId: number): Promise<number[]> {
  const rows = await db.selectFrom('monitor_channels').select('channel_id').where('monitor_id', '=', monitorId).execute();
  return rows.map((r) => r.channel_id);
}

/** Replaces a monitor's channels; ids must already be checked to belong to the account. */
export async function setMonitorChannels(db: DbLike, monitorId: number, channelIds: number[]) {
  await db.deleteFrom('monitor_channels').where('monitor_id', '=', monitorId).execute();
  if (channelIds.length) {
    await db.insertInto('monitor_channels').values(channelIds.map((channel_id) => ({ monitor_id: monitorId, channel_id }))).execute();
  }
}

/** Enabled channels attached to a monitor. */
export async function activeForMonitor(db: DbLike, monitorId: number): Promise<Channel[]> {
  const rows = await db
    .selectFrom('alert_channels')
    .innerJoin('monitor_channels', 'monitor_channels.channel_id', 'alert_channels.id')
    .selectAll('alert_channels')
    .where('monitor_channels.monitor_id', '=', monitorId)
    .where('alert_channels.disabled_at', 'is', null)
    .execute();
  return rows.map(toChannel);
}

/**
 * Whether the monitor is the account's, before its channels are set. Read here rather than
 * through the monitors context, which builds on alerts (new monitors get default channels).
 */
export async function monitorInAccount(db: DbLike, accountId: number, monitorId: number): Promise<boolean> {
  if (!isDbId(monitorId)) return false;
  const r = await db.selectFrom('monitors').select('id').where('account_id', '=', accountId).where('id', '=', monitorId).executeTakeFirst();
  return !!r;
}
