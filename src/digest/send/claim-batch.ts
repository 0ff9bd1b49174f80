// The claim stage: one batch of due deliveries, claimed for this sender. Deliveries of readers who left are skipped
// by the claim itself; the rest are held (their leases renewed) until their outcome is recorded.
import type { PrismaClient } from '../../db/client.js';
import { type DatabaseRetry, retryOnDatabaseBlip } from '../../db/database-retry.js';
import type { Logger } from '../../logger.js';
import { type ClaimedDelivery, type ClaimPosition, claimDeliveries } from '../delivery-claims.js';
import type { SendProgress } from './send-progress.js';

export interface ClaimedBatch {
  /** Deliveries to compose and send, held by this sender. */
  toSend: ClaimedDelivery[];
  /** Rows the claim took, skipped ones included: 0 means nothing is due any more. */
  claimed: number;
}

export interface ClaimBatchOptions {
  prisma: PrismaClient;
  claimer: string;
  batchSize: number;
  leaseMs: number;
  /** Right-hand side of new Message-IDs. */
  domain: string;
  digestId?: number;
  held: Map<number, ClaimedDelivery>;
  progress: SendProgress;
  log: Logger;
  retry: DatabaseRetry;
}

/**
 * A function that claims the next batch each time it is called. Each claim starts where this claimer's last one
 * ended (claimDeliveries, `after`); when nothing is left ahead of that place it starts again from the start once, for
 * what was passed over: so a claim never walks the dead entries of what was sent already, and nothing due is missed.
 */
export function createClaimBatch(o: ClaimBatchOptions): () => Promise<ClaimedBatch> {
  const { report } = o.progress;
  let position: ClaimPosition | undefined;
  const claimFrom = async (after: ClaimPosition | undefined) => {
    // Safe to repeat: a claim whose answer was lost only holds its rows until their lease lapses.
    const claimed = await retryOnDatabaseBlip(
      'claim deliveries',
      () =>
        claimDeliveries(o.prisma, {
          claimer: o.claimer,
          limit: o.batchSize,
          leaseMs: o.leaseMs,
          domain: o.domain,
          digestId: o.digestId,
          after,
        }),
      o.retry,
    );
    position = claimed.position ?? position;
    return claimed.rows;
  };
  return async () => {
    let rows = await claimFrom(position);
    if (rows.length === 0 && position) {
      position = undefined;
      rows = await claimFrom(undefined);
    }
    report.claimed += rows.length;
    const toSend: ClaimedDelivery[] = [];
    for (const row of rows) {
      if (row.status === 'skipped') report.skipped++;
      else {
        o.held.set(row.id, row);
        toSend.push(row);
      }
    }
    if (rows.length > 0) o.log.debug({ claimer: o.claimer, claimed: rows.length }, 'claimed deliveries');
    return { toSend, claimed: rows.length };
  };
}
