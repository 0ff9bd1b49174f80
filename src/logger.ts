import { type Logger, pino } from 'pino';

export type { Logger };

/** The process logger. Fastify gets the same instance so request logs and job logs share one stream. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'papermail' } });
}
