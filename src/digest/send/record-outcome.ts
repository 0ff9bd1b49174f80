// The record stage: what became of each claimed delivery, written as a conditional statement that names this
// sender's claim. Until it is written the delivery stays held, so the heartbeat keeps its lease: a Postgres blip
// delays a mark, it neither loses it nor lets another sender take the delivery over meanwhile.
import type { PrismaClient } from '../../db/client.js';
import { type DatabaseRetry, retryOnDatabaseBlip } from '../../db/database-retry.js';
import type { Logger } from '../../logger.js';
import { classifySendError } from '../classify-send-error.js';
import { type ClaimedDelivery, markFinished, markReaderBounced, markRetry, markSent } from '../delivery-claims.js';
import type { SendProgress } from './send-progress.js';
import { createSentMarks } from './sent-marks.js';

export interface OutcomeRecorder {
  /** The relay took it: resolves once the "sent" mark is in Postgres (written together with others in flight). */
  sent(d: ClaimedDelivery): Promise<void>;
  /** Sending failed: put back for a retry with backoff, or failed for good (and the reader bounced, when so). */
  failed(d: ClaimedDelivery, err: unknown): Promise<void>;
  /** Nothing to send after all. */
  skipped(d: ClaimedDelivery, reason: string): Promise<void>;
}

export interface OutcomeRecorderOptions {
  prisma: PrismaClient;
  claimer: string;
  maxAttempts: number;
  retryBaseMs: number;
  /** The deliveries this sender holds: an outcome, once written, releases its delivery. */
  held: Map<number, ClaimedDelivery>;
  progress: SendProgress;
  log: Logger;
  retry: DatabaseRetry;
}

export function createOutcomeRecorder(o: OutcomeRecorderOptions): OutcomeRecorder {
  const { prisma, claimer, held, progress, log, retry } = o;
  const { report } = progress;
  const write = <T>(what: string, statement: () => Promise<T>) => retryOnDatabaseBlip(what, statement, retry);
  const release = (id: number) => {
    held.delete(id);
    progress.changed();
  };

  const marks = createSentMarks({
    write: (ids) => write('mark sent', () => markSent(prisma, claimer, ids)),
    onWritten(ids) {
      for (const id of ids) held.delete(id);
      report.sent += ids.length;
      progress.changed();
    },
  });

  return {
    sent: (d) => marks.mark(d.id),

    async failed(d, err) {
      const verdict = classifySendError(err);
      if (verdict.permanent || d.attempts >= o.maxAttempts) {
        const reason = verdict.permanent ? verdict.reason : `gave up after ${d.attempts} attempts: ${verdict.reason}`;
        await write('mark failed', () => markFinished(prisma, claimer, d.id, 'failed', reason));
        report.failed++;
        if (verdict.bounce && (await write('mark bounced', () => markReaderBounced(prisma, d.subscriberId))) > 0) {
          report.bounced++;
        }
        log.warn({ delivery: d.id, to: d.email, reason }, 'delivery failed');
      } else {
        // Exponential backoff with a little jitter, so a throttling relay is not hit by every retry at once.
        const delay = Math.round(o.retryBaseMs * 2 ** (d.attempts - 1) * (1 + Math.random() * 0.1));
        await write('mark retry', () => markRetry(prisma, claimer, d.id, delay, verdict.reason));
        report.retried++;
        log.info(
          { delivery: d.id, to: d.email, attempt: d.attempts, retryInMs: delay, reason: verdict.reason },
          'retry',
        );
      }
      release(d.id);
    },

    async skipped(d, reason) {
      await write('mark skipped', () => markFinished(prisma, claimer, d.id, 'skipped', reason));
      report.skipped++;
      release(d.id);
    },
  };
}
