// What an admin does with readers: find them, export and import them as CSV, erase one.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import { type Actor, recordAudit, runAudited } from './audit.js';
import { type EraseResult, eraseSubscriber } from './erase-subscriber.js';
import { type CsvBytes, exportSubscribersCsv } from './export-subscribers.js';
import { listSubscribers, type SubscriberFilter, type SubscriberView } from './find-subscribers.js';
import { type ImportMode, type ImportReport, readImport, writeImport } from './import-subscribers.js';
import { findReaderDetail, type ReaderDetail } from './reader-detail.js';
import { type AdminStatusChange, changeReaderStatus, type StatusChangeResult } from './reader-status-admin.js';

/**
 * Queues the double opt-in email of a pending reader (the sign-up queue sends it, with retries). The reader service
 * owns that email (template, rate limit, confirm link); services.ts passes its function in.
 */
export type SendConfirmation = (subscriberId: number) => Promise<void>;

export interface SubscriberAdmin {
  list(
    filter: SubscriberFilter,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; subscribers: SubscriberView[] }>;
  exportCsv(actor: Actor, filter: SubscriberFilter): Promise<{ csv: CsvBytes; count: number }>;
  importCsv(actor: Actor, csv: string, mode: ImportMode): Promise<ImportReport>;
  erase(actor: Actor, id: number): Promise<EraseResult>;
  /** One reader with their deliveries, newest first. */
  detail(id: number): Promise<ReaderDetail>;
  /** Pauses or unsubscribes a reader for them (audited). */
  changeStatus(actor: Actor, id: number, change: AdminStatusChange): Promise<StatusChangeResult>;
}

export interface SubscriberAdminDeps {
  prisma: PrismaClient;
  log: Logger;
  sendConfirmation: SendConfirmation;
}

/** Confirmation emails queued at once after an import. */
const CONFIRM_CONCURRENCY = 4;
/** Skipped rows listed in the audit entry; the rest are counted. */
const AUDIT_SKIPPED_LIMIT = 1000;

export function createSubscriberAdmin({ prisma, log, sendConfirmation }: SubscriberAdminDeps): SubscriberAdmin {
  return {
    list: (filter, page) => listSubscribers(prisma, filter, page),

    async exportCsv(actor, filter) {
      const out = await exportSubscribersCsv(prisma, filter);
      // The filter is logged without the address fragment: the audit log keeps no addresses (README, "Audit").
      const params = { status: filter.status, topic: filter.topic, emailFilter: filter.email ? true : undefined };
      await recordAudit(prisma, { actor, action: 'subscribers.export', params, result: { count: out.count } });
      return out;
    },

    async importCsv(actor, csv, mode) {
      const params = { mode, bytes: Buffer.byteLength(csv) };
      const { report, confirm } = await runAudited(
        prisma,
        { actor, action: 'subscribers.import', params },
        async (tx) => {
          const read = await readImport(tx, csv);
          const written = await writeImport(tx, read.rows, mode, read.topicIds);
          const rows = [...read.refused, ...written.report].sort((a, b) => a.row - b.row);
          const report: ImportReport = {
            mode,
            rows: read.total,
            created: rows.filter((r) => r.outcome === 'created').length,
            updated: rows.filter((r) => r.outcome === 'updated').length,
            skipped: rows.filter((r) => r.outcome === 'skipped').length,
            ignoredColumns: read.ignoredColumns,
            report: rows,
          };
          const skipped = rows.filter((r) => r.outcome === 'skipped').map((r) => ({ row: r.row, reason: r.reason }));
          const result = {
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            skipped: report.skipped,
            ignoredColumns: report.ignoredColumns,
            skippedRows: skipped.slice(0, AUDIT_SKIPPED_LIMIT),
          };
          return { value: { report, confirm: written.confirm }, result };
        },
        // A large file is many statements in one transaction: give it time rather than half an import.
        { timeoutMs: 300_000 },
      );

      if (confirm.length > 0) {
        const failed = await sendConfirmations(confirm, sendConfirmation, log);
        const owed = new Set(confirm);
        for (const line of report.report) {
          if (line.id !== undefined && line.outcome === 'created' && owed.has(line.id)) {
            line.confirmation = failed.has(line.id) ? 'failed' : 'sent';
          }
        }
        await recordAudit(prisma, {
          actor,
          action: 'subscribers.import.confirmations',
          params: { subscribers: confirm.length },
          result: { sent: confirm.length - failed.size, failedIds: [...failed] },
        });
      }
      return report;
    },

    erase(actor, id) {
      return runAudited(prisma, { actor, action: 'subscriber.erase', params: { id } }, async (tx) => {
        const value = await eraseSubscriber(tx, id);
        return { value, result: { deliveries: value.deliveries, alreadyErased: value.alreadyErased } };
      });
    },

    detail: (id) => findReaderDetail(prisma, id),
    changeStatus: (actor, id, change) => changeReaderStatus(prisma, actor, id, change),
  };
}

/** Queues the confirmations a few at a time; returns the ids that could not be queued (logged, left pending). */
async function sendConfirmations(ids: number[], send: SendConfirmation, log: Logger): Promise<Set<number>> {
  const failed = new Set<number>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await send(id);
      } catch (err) {
        failed.add(id);
        log.warn({ err, subscriberId: id }, 'import: confirmation email failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONFIRM_CONCURRENCY, ids.length) }, worker));
  return failed;
}
