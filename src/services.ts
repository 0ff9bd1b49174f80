// The one place that wires papermail together: config, logger and database in; the domain services out.
// HTTP routes, the scheduler and the CLI all receive this same object. Routes never see Prisma: only services do.
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import { createDigestService, type DigestService } from './digest/digest-service.js';
import { createHealthService, type HealthService } from './health/health-service.js';
import { createLinks, type Links } from './links.js';
import type { Logger } from './logger.js';
import { createMailer } from './mail/create-mailer.js';
import type { Mailer } from './mail/mailer.js';
import { resolveSecret } from './secret.js';

export interface Services {
  config: Config;
  log: Logger;
  links: Links;
  /** The server secret for signed values (CSRF tokens). */
  secret: string;
  mailer: Mailer;
  health: HealthService;
  digests: DigestService;
  /** Closes what the services opened (transports, timers). The database is closed by its owner. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  log: Logger;
  prisma: PrismaClient;
  /** A mailer to use instead of the one the config names (benchmarks wrap it). */
  mailer?: Mailer;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, log, prisma } = deps;
  const mailer = deps.mailer ?? createMailer(config, log);
  const links = createLinks(config.publicUrl);
  const digests = createDigestService({ prisma, config, log, mailer, links });
  return {
    config,
    log,
    links,
    secret: resolveSecret(config),
    mailer,
    health: createHealthService(prisma),
    digests,
    async close() {
      await digests.close();
      await mailer.close();
    },
  };
}
