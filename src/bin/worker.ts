// The check worker alone; it meets the web server only in the database.
import { ConfigError } from '../config.ts';
import { onShutdown, openRuntime, workerDeps } from '../runtime/context.ts';
import { startWorker } from '../worker/worker.ts';

try {
  const rt = await openRuntime();
  const worker = await startWorker(workerDeps(rt));
  onShutdown(rt.logger, async () => {
    await worker.stop(5000);
    await rt.db.destroy();
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
