import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs in production, readable lines in development. Secrets are redacted. */
export function createLogger(opts: { level: string; pretty: boolean }): Logger {
  return pino({
    level: opts.level,
    redact: {
      paths: ['password', '*.password', 'req.headers.cookie', 'req.headers.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
    transport: opts.pretty
      ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } }
      : undefined,
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
