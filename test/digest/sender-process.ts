// A papermail sender as its own process, for the crash and concurrency tests. Prints "ready" once set up; with
// GO_FILE set it waits for that file before starting, so a test can start several at the same moment.
//   SENDER_MODE=run (default): runs one day (prepare + send until settled) the way the schedule does, waiting for
//     a live run of the day to end or be abandoned first.
//   SENDER_MODE=send: prepares the day and sends it until settled outside any run, as several instances' senders do.
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
if (process.env.SENDER_MODE === 'send') {
  const prepared = await services.digests.prepare(day);
  const settled = await services.digests.sendUntilSettled({
    digestId: prepared.digestId!,
    waitLimitMs: config.send.waitLimitMs,
  });
  const status = settled.open === 0 ? 'done' : 'incomplete';
  process.stdout.write(`${JSON.stringify({ status, send: settled.send })}\n`);
} else {
  const report = await services.digests.runDay(day, { trigger: 'test-sender', whenRunning: 'wait' });
  process.stdout.write(
    `${JSON.stringify({ runId: report.runId, status: report.status, send: report.send, counts: report.counts })}\n`,
  );
}
await services.close();
await prisma.$disconnect();
