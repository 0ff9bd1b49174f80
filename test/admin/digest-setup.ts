// Shared by the admin digest tests: a day of real papers (the seed page), readers, the app pointed at an SMTP sink,
// and small waits on what the sender does in the background after an answer.
import { after } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';

export const DAY = '2026-07-31';

export interface DigestSetup extends TestApp {
  sink: SmtpSink;
}

/** A fresh database with the seed page listed on DAY and the app sending to a fresh sink. */
export async function setupDigestApp(env: Record<string, string> = {}): Promise<DigestSetup> {
  const db = await createTestDatabase();
  const sink = await startSmtpSink({ closeAfter: false });
  await loadSeedPapers(db.prisma, DAY);
  const app = await buildTestApp({ SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '20', ...env }, { db });
  // After the app (and its pooled SMTP connections) closed: the sink waits for open connections when closing.
  after(() => sink.close());
  return { ...app, sink };
}

/** Waits until no delivery is pending or being sent (the background sender is done). */
export async function waitForSender(setup: TestApp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await setup.db.prisma.delivery.count({ where: { status: { in: ['pending', 'sending'] } } });
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} deliveries still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits a little longer than a background send would take, to see that nothing more arrives. */
export function settle(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
