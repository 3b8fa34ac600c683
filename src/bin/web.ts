// The web server alone; run a worker separately (src/bin/worker.ts).
import { ConfigError } from '../config.ts';
import { onShutdown, openRuntime } from '../runtime/context.ts';
import { closeServer, serveWeb } from '../runtime/serve.ts';

try {
  const rt = await openRuntime();
  const server = await serveWeb(rt);
  onShutdown(rt.logger, async () => {
    await closeServer(server);
    await rt.db.destroy();
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
