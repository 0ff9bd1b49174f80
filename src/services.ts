// The one place that wires papermail together: config, logger and database in; the domain services out.
// HTTP routes, the scheduler and the CLI all receive this same object. Routes never see Prisma: only services do.

import { type AdminService, createAdminService } from './admin/admin-service.js';
import type { Config } from './config.js';
import type { PrismaClient } from './db/client.js';
import { createDigestService, type DigestService } from './digest/digest-service.js';
import { createFeedbackService, type FeedbackService } from './feedback/feedback-service.js';
import { buildReaderFeed, type ReaderFeed } from './feeds/reader-feed.js';
import { createHealthService, type HealthService } from './health/health-service.js';
import { createIngestService, type IngestService } from './ingest/ingest-service.js';
import { createLinks, type Links } from './links.js';
import type { Logger } from './logger.js';
import { createMailer } from './mail/create-mailer.js';
import type { Mailer } from './mail/mailer.js';
import { instrumentMailer } from './metrics/instrument-mailer.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createInterestMatcher, type InterestMatcher } from './relevance/matcher-service.js';
import { resolveSecret } from './secret.js';
import { createSubscriptionService, type SubscriptionService } from './subscriptions/subscription-service.js';
import { createTopicService, type TopicService } from './topics/topic-service.js';
import type { FetchText } from './webhooks/sns-message.js';
import { createWebhookService, type WebhookService } from './webhooks/webhook-service.js';

export interface Services {
  config: Config;
  log: Logger;
  links: Links;
  /** The server secret for signed values (CSRF tokens). */
  secret: string;
  mailer: Mailer;
  /** Prometheus metrics: what this process sent, and what the database holds (GET /metrics). */
  metrics: Metrics;
  health: HealthService;
  /** Fetches a day's trending papers from a source and stores them (`ingestDay`). */
  ingest: IngestService;
  /** The admin API's services: readers, topics, the audit log. */
  admin: AdminService;
  topics: TopicService;
  subscriptions: SubscriptionService;
  digests: DigestService;
  /** The one matcher of papers to interests: daily run, dry run, preview and topic checks. */
  matcher: InterestMatcher;
  /** Readers' "More like this" / "Not for me" on the papers of their digests. */
  feedback: FeedbackService;
  /** Bounces and complaints that mail providers report by webhook. */
  webhooks: WebhookService;
  /** Readers' personal Atom feeds. */
  feeds: { readerFeed(feedToken: unknown): Promise<ReaderFeed> };
  /** Closes what the services opened (transports, timers). The database is closed by its owner. */
  close(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  log: Logger;
  prisma: PrismaClient;
  /** A mailer to use instead of the one the config names (benchmarks wrap it). */
  mailer?: Mailer;
  /** Where sender threads connect (SEND_WORKERS > 1); without it the main thread sends. */
  databaseUrl?: string;
  /** How the SES webhook fetches signing certificates and SNS SubscribeURLs (default: fetch). */
  fetchText?: FetchText;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, log, prisma } = deps;
  const metrics = createMetrics(prisma);
  const mailer = instrumentMailer(deps.mailer ?? createMailer(config, log), metrics);
  const topics = createTopicService(prisma);
  const links = createLinks(config.publicUrl);
  const subscriptions = createSubscriptionService({
    prisma,
    config,
    log,
    links,
    mailer,
    topics,
    // A reader who confirms gets the latest day's digest at once (digests is made below, before any confirm).
    firstDigest: (id) => digests.firstDigest(id),
  });
  const matcher = createInterestMatcher(prisma);
  const secret = resolveSecret(config);
  // Render threads pay off for SMTP only; the outbox writes a handful of files.
  const renderThreads = mailer.kind === 'smtp' ? config.send.renderThreads : 0;
  // Sender threads build their own SMTP pools from the config: not for an injected mailer or the outbox.
  const workers =
    config.send.workers > 1 && mailer.kind === 'smtp' && !deps.mailer && deps.databaseUrl
      ? {
          count: config.send.workers,
          databaseUrl: deps.databaseUrl,
          observeSend: metrics.observeSend,
        }
      : undefined;
  const digests = createDigestService({ prisma, config, log, mailer, renderThreads, matcher, secret, workers });
  const ingest = createIngestService({ prisma, config, log });
  const admin = createAdminService({
    prisma,
    log,
    // Imports in `pending` mode queue the same confirmation email as the sign-up form, within its daily limit.
    sendConfirmation: (id) => subscriptions.sendConfirmation(id),
    config,
    links,
    digests,
    ingest,
    matcher,
  });
  return {
    config,
    log,
    links,
    secret,
    mailer,
    metrics,
    health: createHealthService(prisma),
    ingest,
    admin,
    topics,
    subscriptions,
    digests,
    matcher,
    feedback: createFeedbackService({ prisma, links, secret }),
    webhooks: createWebhookService({ prisma, config, log, fetchText: deps.fetchText }),
    feeds: { readerFeed: (feedToken) => buildReaderFeed(prisma, links, feedToken) },
    async close() {
      // Background admin work (resends, runs) first: it still needs the mailer.
      await admin.digests.close();
      await digests.close();
      await mailer.close();
    },
  };
}
