// Starts papermail: config, logger, database, services, HTTP, scheduler; stops them in reverse on a signal.
import { buildServer } from './app.js';
import { ConfigError, loadConfig, readEnv } from './config.js';
import { openDatabase } from './db/database.js';
import { onShutdownSignal } from './lifecycle.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';
import { seedTopics } from './topics/seed-topics.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(readEnv());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`papermail: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const db = await openDatabase(config, log);
  // The catalog must exist for the sign-up form; seeding adds only missing topics and never revives retired ones.
  await seedTopics(db.prisma);
  const services = createServices({ config, log, prisma: db.prisma });

  const fastify = await buildServer(services);

  onShutdownSignal(log, async () => {
    // Stop taking requests and let in-flight ones finish, then the services, then the database.
    await fastify.close();
    await services.close();
    await db.close();
  });

  await fastify.listen({ host: config.host, port: config.port });
  log.info({ url: config.publicUrl, database: db.embedded ? 'embedded' : 'external' }, 'papermail is up');
}

main().catch((err) => {
  process.stderr.write(`papermail: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
