// The one place that wires papermail together: config, logger and database in; the domain services out.
// HTTP routes, the scheduler and the CLI all receive this same object.
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import { createHealthService, type HealthService } from './health/health-service.js';
import type { Logger } from './logger.js';

export interface Services {
  config: Config;
  log: Logger;
  health: HealthService;
  /** Closes what the services opened (transports, timers). The database is closed by its owner. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  log: Logger;
  prisma: PrismaClient;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, log, prisma } = deps;
  return {
    config,
    log,
    health: createHealthService(prisma),
    async close() {},
  };
}
