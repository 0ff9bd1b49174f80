// The sender: claims due deliveries in batches, renders each reader's digest from the compiled templates, hands it
// to the mailer with many messages in flight, and records the outcomes. Any number of senders, in one process or on
// many machines, can run at once: claims are disjoint (SKIP LOCKED) and every state change is conditional.
// The stages are in send/ (run-sender.ts wires them); this file owns what lives longer than one pass: the composer.
import type { MessagePort } from 'node:worker_threads';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import { mailDomain } from '../mail/message-options.js';
import { composeSettingsOf } from './compose-digest.js';
import { type Composer, createComposer } from './composer.js';
import { createDomainPacing } from './send/domain-pacing.js';
import { runSender } from './send/run-sender.js';
import { createSendBudgets } from './send/send-budget.js';
import type { SendReport } from './send/send-progress.js';

export type { SendReport } from './send/send-progress.js';

export interface SendOptions {
  /** Only this digest's deliveries (all due deliveries when absent). */
  digestId?: number;
  /** Stop claiming; what is claimed already is sent and recorded. */
  signal?: AbortSignal;
  /** Called after outcomes are written, with the totals so far. */
  onProgress?: (report: SendReport) => void;
}

export interface Sender {
  /** Sends every delivery due now, then returns. Deliveries retried for later are left for a later call. */
  sendPending(options?: SendOptions): Promise<SendReport>;
}

export interface SenderDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  mailer: Mailer;
  /** Render threads beside the sending thread (0: render on it). The wiring decides: they pay off for SMTP only. */
  renderThreads: number;
  /** Signs the feedback links in every email. */
  secret?: string;
  /** The compiled digest template, when the thread that started this one compiled it (compileDigestHtml). */
  digestHtml?: string;
  /** A sender thread's channel to the main thread, which renders for it: then no render thread is started. */
  renderPort?: MessagePort;
}

export function createSender(deps: SenderDeps): Sender & { warm(): void; close(): Promise<void> } {
  const { prisma, config, log, mailer } = deps;
  let composer: Promise<Composer> | undefined;
  const composerOf = () => {
    composer ??= createComposer(
      composeSettingsOf(config, deps.secret, deps.digestHtml),
      deps.renderThreads,
      log,
      deps.renderPort,
    );
    return composer;
  };
  const settings = { ...config.send, domain: mailDomain(config) };
  const { ratePerSecond, domainRates } = config.send;
  // Postgres, or Redis when REDIS_URL is set: this sender's own connection, closed with it.
  const budgets = createSendBudgets({ prisma, log, redis: config.redis });
  const pace = {
    budget: ratePerSecond > 0 ? budgets.budget('global', ratePerSecond) : undefined,
    domains: createDomainPacing({ budgets, rates: domainRates, log }),
  };
  return {
    async sendPending(options = {}) {
      return runSender({ prisma, log, mailer, composer: await composerOf(), settings, pace }, options);
    },
    /** Starts compiling the templates (and the render threads) now, e.g. while the day is being matched. */
    warm() {
      composerOf().catch(() => {
        // sendPending reports it
      });
    },
    async close() {
      try {
        await (await composer)?.close();
      } finally {
        await budgets.close();
      }
    },
  };
}
