// What an admin does with digests: resend a day's digest to some readers (or to every reader whose delivery failed),
// run a day now, ingest a day, and look at days, deliveries and previews. The HTTP API and `papermail resend` call
// this; the sending itself is the digest service's sender, so resends are claimed and sent like any delivery.
import type { Config } from '../config.js';
import { parseDay } from '../dates.js';
import type { Prisma, PrismaClient } from '../db/client.js';
import type { DigestService } from '../digest/digest-service.js';
import { createDigestRenderer, type DigestRenderer } from '../digest/render-digest.js';
import { errors } from '../errors.js';
import { parseSourceSpec } from '../ingest/create-paper-source.js';
import type { IngestReport, IngestService } from '../ingest/ingest-service.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { type Actor, recordAudit, runAudited } from './audit.js';
import {
  type DayDetail,
  type DaySummary,
  type DeliveryState,
  findDeliveryStates,
  findDigestDay,
  findDigestsOf,
  findReaderDeliveries,
  listDigestDays,
} from './digest-days.js';
import { hashRequest, saveIdempotentResponse, takeIdempotencyKey } from './idempotency.js';
import { type DigestPreview, previewDigest } from './preview-digest.js';
import { queueResends, type ResendOutcome, type ResendSkipCode, type ResendTarget } from './queue-resends.js';

export type { ResendTarget } from './queue-resends.js';

/** A resend request's answer: what was queued, which addresses are unknown, who was skipped and why. */
export interface ResendReport {
  date: string;
  digestId: number;
  queued: { deliveryId: number; resendOf: number; subscriberId: number; email: string }[];
  unknown: { email: string; reason: string }[];
  skipped: {
    email: string;
    subscriberId: number;
    deliveryId: number;
    code: ResendSkipCode;
    reason: string;
    status?: string;
  }[];
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

export interface RunStarted {
  runId: number;
  date: string;
  /** A live run of this day is going (on any instance, by any trigger): this is its id, and no new run started. */
  alreadyRunning: boolean;
}

export interface DigestAdmin {
  /** Queues resends (one transaction, audited, idempotent with a key). Sending is the caller's next step. */
  resend(actor: Actor, day: string, target: ResendTarget, options?: { idempotencyKey?: string }): Promise<ResendReport>;
  /** Sends the queued resends and waits until each is final or SEND_WAIT_LIMIT_MS has passed. */
  sendQueued(report: ResendReport, options?: { waitLimitMs?: number }): Promise<DeliveryState[]>;
  /** The same, in the background (the HTTP API answers first). */
  sendQueuedInBackground(report: ResendReport): void;
  /** Starts ingest -> match -> send for the day in the background and returns the run's id. */
  startRun(actor: Actor, day: string, options?: { source?: string; ingest?: boolean }): Promise<RunStarted>;
  /** Waits for the day's run that `startRun` started in this process, if one is going here. */
  runFinished(day: string): Promise<void>;
  ingest(actor: Actor, day: string, source?: string): Promise<IngestReport>;
  listDays(page: { limit: number; offset: number }): Promise<{ total: number; days: DaySummary[] }>;
  day(day: string): Promise<DayDetail>;
  /** One reader's deliveries of the day: the original and any resends. */
  deliveries(day: string, email: string): ReturnType<typeof findReaderDeliveries>;
  preview(actor: Actor, day: string, email: string): Promise<DigestPreview>;
  /** Stops background work from claiming more and waits for it. */
  close(): Promise<void>;
}

export interface DigestAdminDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  links: Links;
  digests: DigestService;
  ingest: IngestService;
  matcher: InterestMatcher;
}

export function createDigestAdmin(deps: DigestAdminDeps): DigestAdmin {
  const { prisma, config, log, links, digests, ingest } = deps;
  const stop = new AbortController();
  const background = new Set<Promise<unknown>>();
  // Only so that runFinished can wait: whether a day is running is the runs table's to say.
  const runsHere = new Map<string, Promise<void>>();
  let renderer: Promise<DigestRenderer> | undefined;

  const track = (work: Promise<unknown>) => {
    const p = work.catch((err) => log.error({ err }, 'admin background work failed'));
    background.add(p);
    void p.finally(() => background.delete(p));
  };

  const admin: DigestAdmin = {
    async resend(actor, day, target, options = {}) {
      parseDay(day);
      const mode = 'emails' in target ? 'emails' : 'failed';
      const key = options.idempotencyKey;
      // The audit entry names no address: how many were asked for, and the ids that came of it.
      const params = { date: day, mode, addresses: 'emails' in target ? target.emails.length : undefined, key };
      const { outcome, replayed } = await runAudited(prisma, { actor, action: 'digest.resend', params }, async (tx) => {
        let outcome: ResendOutcome;
        let replayed = false;
        const stored = key
          ? await takeIdempotencyKey(tx, key, 'digest.resend', hashRequest('digest.resend', { day, target }))
          : undefined;
        if (stored !== undefined) {
          outcome = stored as unknown as ResendOutcome;
          replayed = true;
        } else {
          // The day's own issue first, then the week's that ends on it.
          const issues = await tx.digest.findMany({
            where: { date: parseDay(day) },
            orderBy: { kind: 'asc' },
            select: { id: true },
          });
          if (issues.length === 0) {
            throw errors.notFound(`There is no digest for ${day}: nothing was sent that day to resend.`);
          }
          outcome = await queueResends(
            tx,
            issues.map((i) => i.id),
            day,
            target,
          );
          if (key) await saveIdempotentResponse(tx, key, outcome as unknown as Prisma.InputJsonValue);
        }
        const result = {
          replayed,
          queued: outcome.queued.map((q) => q.deliveryId),
          unknown: outcome.unknown.length,
          skipped: outcome.skipped.map((s) => ({ subscriberId: s.subscriberId, code: s.code })),
        };
        return { value: { outcome, replayed }, result };
      });
      return describeResend(prisma, day, outcome, 'emails' in target ? target.emails : [], replayed);
    },

    async sendQueued(report, options = {}) {
      const ids = report.queued.map((q) => q.deliveryId);
      if (ids.length === 0) return [];
      // The resends may be of the day's issue and of the week's ending on it: one wait limit for all.
      const deadline = Date.now() + (options.waitLimitMs ?? config.send.waitLimitMs);
      for (const digestId of await findDigestsOf(prisma, ids)) {
        await digests.sendUntilSettled({
          digestId,
          ids,
          waitLimitMs: Math.max(deadline - Date.now(), 0),
          signal: stop.signal,
        });
      }
      return findDeliveryStates(prisma, ids);
    },

    sendQueuedInBackground(report) {
      if (report.queued.length > 0) track(admin.sendQueued(report));
    },

    async startRun(actor, day, options = {}) {
      const source = options.source ?? config.sources.default;
      const withIngest = options.ingest ?? true;
      const params = { date: day, ingest: withIngest, source: withIngest ? source : undefined };
      const audit = (result: object) =>
        recordAudit(prisma, { actor, action: 'digest.run', params, result }).catch((err) =>
          log.error({ err, day }, 'could not write the audit entry of a digest run'),
        );
      let run: { runId: number; alreadyRunning: boolean };
      try {
        parseDay(day);
        if (withIngest) parseSourceSpec(source);
        // The runs table decides, so a run going on another instance, or the schedule's here, counts too.
        run = await digests.startRun(day, 'admin');
      } catch (err) {
        await audit(auditError(err));
        throw err;
      }
      if (run.alreadyRunning) {
        await audit({ runId: run.runId, alreadyRunning: true });
        return { runId: run.runId, date: day, alreadyRunning: true };
      }
      const done = digests
        .executeRun(run.runId, day, {
          trigger: 'admin',
          ingest: withIngest ? (d) => ingest.ingestDay(d, source) : undefined,
          signal: stop.signal,
        })
        .then(
          (report) => log.info({ runId: report.runId, day, status: report.status }, 'admin run finished'),
          (err) => log.error({ err, day, runId: run.runId }, 'admin run failed'),
        )
        .finally(() => runsHere.delete(day));
      runsHere.set(day, done);
      track(done);
      await audit({ runId: run.runId });
      return { runId: run.runId, date: day, alreadyRunning: false };
    },

    async runFinished(day) {
      await runsHere.get(day);
    },

    async ingest(actor, day, source = config.sources.default) {
      const params = { date: day, source };
      try {
        parseDay(day);
        parseSourceSpec(source);
        const report = await ingest.ingestDay(day, source);
        const { skipped, ...counts } = report;
        await recordAudit(prisma, { actor, action: 'ingest', params, result: { ...counts, skipped: skipped.length } });
        return report;
      } catch (err) {
        await recordAudit(prisma, { actor, action: 'ingest', params, result: auditError(err) }).catch(() => undefined);
        throw err;
      }
    },

    listDays: (page) => listDigestDays(prisma, page, config.runStaleMs),
    day: (day) => findDigestDay(prisma, day, config.runStaleMs),
    deliveries: (day, email) => findReaderDeliveries(prisma, day, email),

    async preview(actor, day, email) {
      parseDay(day);
      renderer ??= createDigestRenderer(links);
      const preview = await previewDigest(prisma, deps.matcher, await renderer, day, email);
      // A preview holds the reader's own links (preferences, unsubscribe): who looked is worth keeping.
      await recordAudit(prisma, {
        actor,
        action: 'digest.preview',
        params: { date: day, subscriberId: preview.subscriberId },
        result: { kind: preview.kind, deliveryId: preview.deliveryId, papers: preview.paperIds.length },
      });
      return preview;
    },

    async close() {
      stop.abort();
      while (background.size > 0) await Promise.all([...background]);
    },
  };
  return admin;
}

/** The stored outcome with today's addresses: queued and skipped readers by their current address (where the
 * resend goes), unknown ones as the request wrote them. */
async function describeResend(
  prisma: PrismaClient,
  day: string,
  outcome: ResendOutcome,
  emails: string[],
  replayed: boolean,
): Promise<ResendReport> {
  const ids = [...new Set([...outcome.queued, ...outcome.skipped].map((r) => r.subscriberId))];
  const readers = await prisma.subscriber.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } });
  const emailOf = new Map(readers.map((r) => [r.id, r.email]));
  return {
    date: day,
    digestId: outcome.digestId,
    queued: outcome.queued.map((q) => ({ ...q, email: emailOf.get(q.subscriberId) ?? '' })),
    unknown: outcome.unknown.map((u) => ({ email: String(emails[u.input] ?? ''), reason: u.reason })),
    skipped: outcome.skipped.map((s) => ({ email: emailOf.get(s.subscriberId) ?? '', ...s })),
    replayed,
  };
}

function auditError(err: unknown) {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && e.code.startsWith('PAPERMAIL_ERR_')
    ? { error: e.code, message: String(e.message) }
    : { error: 'PAPERMAIL_ERR_INTERNAL', message: 'the action failed; see the server log' };
}
