// Web server and check worker in one process (the default for `npm start`, see README).
import { ConfigError } from '../config.ts';
import { onShutdown, openRuntime, workerDeps } from '../runtime/context.ts';
import { closeServer, serveWeb } from '../runtime/serve.ts';
import { startWorker } from '../worker/worker.ts';

try {
  const rt = await openRuntime();
  const server = await serveWeb(rt);
  const worker = await startWorker(workerDeps(rt));
  onShutdown(rt.logger, async () => {
    await closeServer(server);
    await worker.stop(5000);
    await rt.db.destroy();
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
