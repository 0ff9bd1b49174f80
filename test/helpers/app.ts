// Builds the real app on a test database, the way server.ts does, for app.inject or a real listen.
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A config for tests: the given variables over quiet, scheduler-off defaults, pointed at `db`. */
export function testConfig(env: Record<string, string> = {}, db?: TestDatabase): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    SCHEDULER: 'off',
    // One sender on the main thread unless a test asks for workers: a worker thread takes a second to start.
    SEND_WORKERS: '1',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SECRET: 'test-secret-test-secret-test-secret-0123',
    DATA_DIR: '.data/test-runtime',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  config: Config;
  services: Services;
  /** Starts a real listener (for browsers and raw HTTP) and returns its base URL. */
  listen(): Promise<string>;
}

export async function buildTestApp(
  env: Record<string, string> = {},
  options: { db?: TestDatabase; log?: Logger } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = testConfig(env, db);
  const log = options.log ?? createLogger(config.logLevel);
  const services = createServices({ config, log, prisma: db.prisma });
  const fastify = await buildServer(services);
  await fastify.ready();
  after(async () => {
    await fastify.close();
    await services.close();
  });
  return {
    app: fastify,
    db,
    config,
    services,
    async listen() {
      const address = await fastify.listen({ host: '127.0.0.1', port: 0 });
      return address;
    },
  };
}
