// A day to send, as the sending tests need it: a database of its own with the seed page listed on DAY, an SMTP sink
// that notes when each message arrived and to whom, and the services configured to send to it.
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

export const DAY = '2026-07-31';

export async function setupSendingDay(env: Record<string, string>) {
  const db = await createTestDatabase();
  const sink = await startSmtpSink();
  await loadSeedPapers(db.prisma, DAY);
  const config = testConfig({ SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '20', ...env }, db);
  // databaseUrl: sender threads connect on their own.
  const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma, databaseUrl: db.url });
  // When each message reached the relay, and to whom (the policy sees every message; undefined accepts it).
  const arrivals: { at: number; to: string }[] = [];
  sink.setPolicy((to) => {
    arrivals.push({ at: performance.now(), to: to[0]! });
    return undefined;
  });
  return { db, sink, services, arrivals };
}
