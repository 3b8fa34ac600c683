// Applies pending migrations and exits (they also run at every start).
import { ConfigError } from '../config.ts';
import { openRuntime } from '../runtime/context.ts';

try {
  const rt = await openRuntime();
  rt.logger.info('database is up to date');
  await rt.db.destroy();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
