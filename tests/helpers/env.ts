import { existsSync } from 'node:fs';

/** Database kinds the suite runs against: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export type TestDbKind = 'sqlite' | 'postgres';

export function testDbKinds(): TestDbKind[] {
  const only = process.env.TEST_DB;
  const pg = process.env.TEST_DATABASE_URL;
  if (only === 'postgres') return ['postgres'];
  if (only === 'sqlite') return ['sqlite'];
  return pg ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | undefined {
  return process.env.CHROMIUM_PATH ?? CHROMIUM_PATHS.find((p) => existsSync(p));
}
