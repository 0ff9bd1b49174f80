// Opens the database the config names (or the embedded one), applies pending migrations, and hands back a client.
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createPrismaClient, type PrismaClient } from './client.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrateDatabase } from './migrate.js';

export interface Database {
  prisma: PrismaClient;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Config,
  log: Logger,
  options: { poolSize?: number } = {},
): Promise<Database> {
  const embedded = config.databaseUrl === undefined ? await startEmbeddedPostgres(config.dataDir, log) : undefined;
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const applied = await migrateDatabase(url, log);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const prisma = createPrismaClient(url, options.poolSize);
  return {
    prisma,
    url,
    embedded: embedded !== undefined,
    async close() {
      await prisma.$disconnect();
      await embedded?.stop();
    },
  };
}
