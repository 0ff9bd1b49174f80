// One papermail process doing a day's digest the way the scheduler does (runDay: prepare -> send until done) against
// the database and relay the benchmark set up. Prints one JSON line with its timings and peak memory.
import { loadConfig } from '../src/config.js';
import { createPrismaClient } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';

const day = process.argv[2]!;
const config = loadConfig(process.env);
const prisma = createPrismaClient(config.databaseUrl!, 8);
const services = createServices({
  config,
  log: createLogger(config.logLevel),
  prisma,
  databaseUrl: config.databaseUrl,
});
const started = performance.now();
const report = await services.digests.runDay(day, { trigger: 'bench' });
const wallMs = performance.now() - started;
await services.close();
await prisma.$disconnect();
process.stdout.write(
  `${JSON.stringify({
    status: report.status,
    prepare: { ...report.prepare, plans: undefined, dayPapers: undefined, unmatched: undefined },
    counts: report.counts,
    timings: report.timings,
    wallMs: Math.round(wallMs),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
