// The admin's services, one object for services.ts. Routes under /api/admin call these; so can the CLI.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type AuditEntryView, listAudit } from './audit.js';
import { createSubscriberAdmin, type SendConfirmation, type SubscriberAdmin } from './subscriber-admin.js';
import { createTopicAdmin, type TopicAdmin } from './topic-admin.js';

export interface AdminService {
  subscribers: SubscriberAdmin;
  topics: TopicAdmin;
  audit: {
    list(query: {
      action?: string;
      limit: number;
      offset: number;
    }): Promise<{ total: number; entries: AuditEntryView[] }>;
  };
}

export interface AdminServiceDeps {
  prisma: PrismaClient;
  log: Logger;
  /** The reader service's confirmation email, used by imports in `pending` mode. */
  sendConfirmation: SendConfirmation;
}

export function createAdminService({ prisma, log, sendConfirmation }: AdminServiceDeps): AdminService {
  return {
    subscribers: createSubscriberAdmin({ prisma, log, sendConfirmation }),
    topics: createTopicAdmin(prisma),
    audit: { list: (query) => listAudit(prisma, query) },
  };
}
