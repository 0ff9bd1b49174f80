// The compose stage: claimed deliveries -> finished messages (rendered and built into MIME, perhaps on render
// threads). A delivery whose papers are no longer listed is skipped; one that cannot be composed is recorded as a
// failed attempt, so a bad digest never stops the rest of the batch.
import type { PrismaClient } from '../../db/client.js';
import { type DatabaseRetry, retryOnDatabaseBlip } from '../../db/database-retry.js';
import type { ComposedMessage, DigestJob, DigestPapers } from '../compose-digest.js';
import type { Composer } from '../composer.js';
import { loadPeriodPapers, weekStart } from '../day-papers.js';
import type { ClaimedDelivery } from '../delivery-claims.js';
import { toPaperView } from '../paper-view.js';
import type { OutcomeRecorder } from './record-outcome.js';

export interface ComposeBatchOptions {
  prisma: PrismaClient;
  composer: Composer;
  record: OutcomeRecorder;
  retry: DatabaseRetry;
}

/** A function that composes a chunk of claimed deliveries into the messages to send. */
export function createComposeBatch(o: ComposeBatchOptions): (rows: ClaimedDelivery[]) => Promise<ComposedMessage[]> {
  // Each digest's papers are read once per sender pass.
  const digests = new Map<number, Promise<DigestPapers>>();
  const papersOf = (digestId: number) => {
    let entry = digests.get(digestId);
    if (!entry) {
      entry = retryOnDatabaseBlip('load digest papers', () => loadDigestPapers(o.prisma, digestId), o.retry);
      // A failed read is not kept: the next chunk reads again.
      entry.catch(() => digests.delete(digestId));
      digests.set(digestId, entry);
    }
    return entry;
  };

  return async (rows) => {
    const byDigest = new Map<number, ClaimedDelivery[]>();
    for (const row of rows) byDigest.set(row.digestId, [...(byDigest.get(row.digestId) ?? []), row]);
    const messages: ComposedMessage[] = [];
    for (const [digestId, list] of byDigest) {
      const skipped = new Set<number>();
      try {
        const digest = await papersOf(digestId);
        const jobs: DigestJob[] = [];
        for (const d of list) {
          if (d.paperIds.some((id) => digest.papers.has(id))) jobs.push(toJob(d));
          else {
            await o.record.skipped(d, 'not sent: none of its papers is listed any more');
            skipped.add(d.id);
          }
        }
        if (jobs.length > 0) messages.push(...(await o.composer.compose(jobs, digestId, digest)));
      } catch (err) {
        // The digest's papers could not be read or its messages not built: an attempt that failed.
        for (const d of list) if (!skipped.has(d.id)) await o.record.failed(d, err);
      }
    }
    return messages;
  };
}

function toJob(d: ClaimedDelivery): DigestJob {
  return {
    id: d.id,
    digestId: d.digestId,
    email: d.email,
    token: d.token,
    messageId: d.messageId,
    paperIds: d.paperIds,
    matches: d.matches,
  };
}

async function loadDigestPapers(prisma: PrismaClient, digestId: number): Promise<DigestPapers> {
  const rows = await prisma.$queryRaw<{ day: string }[]>`
    SELECT to_char(date, 'YYYY-MM-DD') AS day FROM digests WHERE id = ${digestId}`;
  const day = rows[0]!.day;
  // A weekly delivery carries papers of the whole week that ends on the digest's day.
  const papers = await loadPeriodPapers(prisma, weekStart(day), day);
  return { day, papers: new Map(papers.map((p) => [p.id, toPaperView(p)])) };
}
