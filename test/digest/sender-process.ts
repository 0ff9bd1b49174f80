// A papermail sender as its own process, for the crash and concurrency tests: runs one day (prepare + send) the
// way the scheduler does. Prints "ready" once set up; with GO_FILE set it waits for that file before starting, so a
// test can start several at the same moment.
import { existsSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { createPrismaClient } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';

const day = process.argv[2] ?? '2026-07-31';
const config = loadConfig(process.env);
const prisma = createPrismaClient(config.databaseUrl!, 4);
const services = createServices({ config, log: createLogger(config.logLevel), prisma });
process.stdout.write('ready\n');
const go = process.env.GO_FILE;
while (go && !existsSync(go)) await new Promise((r) => setTimeout(r, 10));
const report = await services.digests.runDay(day, { trigger: 'test-sender' });
process.stdout.write(`${JSON.stringify({ status: report.status, send: report.send, counts: report.counts })}\n`);
await services.close();
await prisma.$disconnect();
