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

/**
 * The real servers the connection check types are tested against, by environment variable.
 * `.ci/run` sets them all (and REQUIRE_SERVICES=1, so a missing one fails the run); on a
 * laptop without them those tests are skipped with a note from the global set-up.
 */
export const SERVICES = {
  mysql: 'TEST_MYSQL_URL',
  redis: 'TEST_REDIS_URL',
  amqp: 'TEST_AMQP_URL',
  mqtt: 'TEST_MQTT_URL',
  nats: 'TEST_NATS_URL',
} as const;

export type ServiceName = keyof typeof SERVICES;

/** The service's URL, e.g. mysql://root@127.0.0.1:3306/test, or undefined when not configured. */
export function serviceUrl(name: ServiceName): string | undefined {
  return process.env[SERVICES[name]] || undefined;
}
