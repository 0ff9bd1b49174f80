import type { Command } from 'commander';
import { seedTopics } from '../topics/seed-topics.js';
import { withRuntime } from './runtime.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole job on the embedded defaults: migrate, seed topics, and say what was done')
    .action(async () => {
      await withRuntime(async ({ config, db }) => {
        const out = (line: string) => process.stdout.write(`${line}\n`);
        out(`database: ${db.embedded ? `embedded Postgres under ${config.dataDir}/postgres` : 'DATABASE_URL'}`);
        const topics = await seedTopics(db.prisma);
        out(`topics: ${topics.created} added, ${topics.total} in the catalog`);
      });
    });
}
