import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { createLogger } from '../logger.js';
import { loadCliConfig } from './runtime.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (prisma/migrations) and exit')
    .action(async () => {
      const config = loadCliConfig();
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const db = await openDatabase(config, log);
      await db.close();
      process.stdout.write(`database is up to date (${db.embedded ? 'embedded Postgres' : 'DATABASE_URL'})\n`);
    });
}
