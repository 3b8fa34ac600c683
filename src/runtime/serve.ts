import { serve, type ServerType } from '@hono/node-server';
import { ConfigError } from '../config.ts';
import { createApp } from '../web/app.ts';
import { type Runtime, webDeps } from './context.ts';

/** Starts the HTTP server; resolves once it listens. */
export async function serveWeb(rt: Runtime): Promise<ServerType> {
  const app = createApp(await webDeps(rt));
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: rt.config.port, hostname: rt.config.host }, (info) => {
      rt.logger.info({ url: rt.config.baseUrl, port: info.port }, 'StatusPing web listening');
      resolve(server);
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(`Port ${rt.config.port} on ${rt.config.host} is already in use: stop the other server or set PORT to a free port`)
          : err,
      );
    });
  });
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}
