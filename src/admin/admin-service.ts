// The admin's services, one object for services.ts. Routes under /api/admin call these; so can the CLI.

import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { DigestService } from '../digest/digest-service.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { type AdminAccounts, createAdminAccounts } from './accounts/admin-accounts.js';
import { type AuditEntryView, listAudit } from './audit.js';
import { countReadersByStatus, type DayStats, loadDailyStats } from './dashboard-stats.js';
import { createDigestAdmin, type DigestAdmin } from './digest-admin.js';
import { listRuns, type RunListItem } from './list-runs.js';
import { createSubscriberAdmin, type SendConfirmation, type SubscriberAdmin } from './subscriber-admin.js';
import { createTopicAdmin, type TopicAdmin } from './topic-admin.js';

export interface AdminService {
  subscribers: SubscriberAdmin;
  topics: TopicAdmin;
  /** Resends, runs, ingest, and the days' deliveries and previews. */
  digests: DigestAdmin;
  audit: {
    list(query: {
      action?: string;
      limit: number;
      offset: number;
    }): Promise<{ total: number; entries: AuditEntryView[] }>;
  };
  /** The dashboard's accounts, sign-in and sessions. */
  accounts: AdminAccounts;
  /** Every run, newest first. */
  runs: { list(page: { limit: number; offset: number }): Promise<{ total: number; runs: RunListItem[] }> };
  /** The overview's numbers: the last days, and readers by status now. */
  stats: {
    daily(lastDay: string, days?: number): Promise<DayStats[]>;
    readersByStatus(): Promise<Record<string, number>>;
  };
}

export interface AdminServiceDeps {
  prisma: PrismaClient;
  log: Logger;
  /** The reader service's confirmation email, used by imports in `pending` mode. */
  sendConfirmation: SendConfirmation;
  config: Config;
  links: Links;
  digests: DigestService;
  ingest: IngestService;
  matcher: InterestMatcher;
}

export function createAdminService(deps: AdminServiceDeps): AdminService {
  const { prisma, log, sendConfirmation } = deps;
  return {
    subscribers: createSubscriberAdmin({ prisma, log, sendConfirmation }),
    topics: createTopicAdmin({ prisma, matcher: deps.matcher }),
    digests: createDigestAdmin(deps),
    audit: { list: (query) => listAudit(prisma, query) },
    accounts: createAdminAccounts(prisma),
    runs: { list: (page) => listRuns(prisma, page) },
    stats: {
      daily: (lastDay, days) => loadDailyStats(prisma, lastDay, days),
      readersByStatus: () => countReadersByStatus(prisma),
    },
  };
}
