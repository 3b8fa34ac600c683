import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

type DbLike = Kysely<Database>;

/** instance_settings key of the admin's sign-up choice: '1' open, '0' closed, absent = ALLOW_SIGNUP. */
export const SIGNUP_SETTING = 'signup_open';

export async function getSetting(db: DbLike, key: string): Promise<string | undefined> {
  const r = await db.selectFrom('instance_settings').select('value').where('key', '=', key).executeTakeFirst();
  return r?.value;
}

export async function putSetting(db: DbLike, key: string, value: string): Promise<void> {
  await db.insertInto('instance_settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}

export async function deleteSetting(db: DbLike, key: string): Promise<void> {
  await db.deleteFrom('instance_settings').where('key', '=', key).execute();
}

/**
 * The setting's value, storing `initial` first if there is none. Two processes starting
 * together both read the one value that won the insert.
 */
export async function settingOrInsert(db: DbLike, key: string, initial: string): Promise<string> {
  await db.insertInto('instance_settings').values({ key, value: initial }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('instance_settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}
