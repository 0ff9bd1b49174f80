// Starts papermail: config, logger, database, services, HTTP, scheduler; stops them in reverse on a signal.
import { buildServer } from './app.js';
import { ConfigError, loadConfig, readEnv } from './config.js';
import { openDatabase } from './db/database.js';
import { runDailyJob } from './jobs/daily-job.js';
import { createScheduler } from './jobs/scheduler.js';
import { createSenderLoop } from './jobs/sender-loop.js';
import { createSignupLoop } from './jobs/signup-loop.js';
import { onShutdownSignal } from './lifecycle.js';
import { createLogger } from './logger.js';
import { startMetricsServer } from './metrics/metrics-server.js';
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
  const services = createServices({ config, log, prisma: db.prisma, databaseUrl: db.url });

  const fastify = await buildServer(services);
  const scheduler = createScheduler({
    prisma: db.prisma,
    config,
    log,
    daily: (day, trigger, signal) => runDailyJob(services, day, trigger, signal),
  });
  // Instances that run the schedule also send what is due between runs (retries, resends, crash leftovers).
  const senderLoop = config.scheduler.enabled ? createSenderLoop(services, config.send.loopMs) : undefined;
  // Every instance that takes sign-ups works through the sign-up queue (its own and, after a crash, anyone's).
  const signupLoop = createSignupLoop(services);

  const metricsServer = config.metrics ? await startMetricsServer(services.metrics, config.metrics, log) : undefined;

  onShutdownSignal(log, async () => {
    // Stop taking requests and fires; let in-flight requests finish and a running daily job stop at a safe point
    // (the scheduler aborts its signal and waits up to its stop timeout); then the services, then the database.
    await Promise.all([
      fastify.close(),
      scheduler.stop(),
      senderLoop?.stop(),
      signupLoop.stop(),
      metricsServer?.close(),
    ]);
    await services.close();
    await db.close();
  });

  await fastify.listen({ host: config.host, port: config.port });
  log.info({ url: config.publicUrl, database: db.embedded ? 'embedded' : 'external' }, 'papermail is up');
  // The schedule starts once the instance serves: a make-up run at start never delays the HTTP server.
  await scheduler.start();
  senderLoop?.start();
  signupLoop.start();
}

main().catch((err) => {
  process.stderr.write(`papermail: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
