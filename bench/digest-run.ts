// One papermail process doing a day's digest the way the scheduler does (runDay: prepare -> send until done) against
// the database and relay the benchmark set up. Prints one JSON line with its timings and peak memory.
//
// `digest-run.ts DAY` runs a past day as `papermail digest --date DAY` does: everything due at once.
// `digest-run.ts DAY --as-scheduled` replays it as the schedule's fire prepared it that day (DIGEST_CRON's hour in
// DIGEST_TIMEZONE): every reader's delivery is due at their own local hour, and, those hours having all gone by, the
// run sends every one of them: the day's issue, then the week's, each in the order its deliveries fell due.
import { DateTime } from 'luxon';
import { loadConfig } from '../src/config.js';
import { createPrismaClient } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { cronHour } from '../src/subscriptions/delivery-settings.js';

const day = process.argv[2]!;
const asScheduled = process.argv.includes('--as-scheduled');
const config = loadConfig(process.env);
/** The moment the operator's schedule fired on the day: DIGEST_CRON's hour in DIGEST_TIMEZONE (07:00 UTC by default). */
const scheduledFire = () =>
  DateTime.fromISO(day, { zone: config.scheduler.timezone })
    .set({ hour: cronHour(config.scheduler.cron) })
    .toJSDate();
const prisma = createPrismaClient(config.databaseUrl!, 8);
const services = createServices({
  config,
  log: createLogger(config.logLevel),
  prisma,
  databaseUrl: config.databaseUrl,
});
const started = performance.now();
const report = await services.digests.runDay(day, {
  trigger: 'bench',
  preparedAt: asScheduled ? scheduledFire() : undefined,
});
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
