// Readers' feedback on the papers of their digests: open a link (a page that changes nothing), record a vote,
// list and undo votes from the preferences page, and the feedback links of a delivery's web view. No HTTP here.
import type { PrismaClient } from '../db/client.js';
import type { Links } from '../links.js';
import { unknownLink } from '../subscriptions/find-reader.js';
import { isWellFormedToken } from '../subscriptions/tokens.js';
import { createFeedbackLinks } from './feedback-links.js';
import { type FeedbackClaim, readDeliveryView, readFeedback, type Vote } from './feedback-value.js';

export interface FeedbackLink extends FeedbackClaim {
  paperTitle: string;
  /** The reader's vote on this paper now, if any. */
  current: Vote | undefined;
}

export interface ReaderFeedback {
  paperId: string;
  title: string;
  vote: Vote;
  createdAt: Date;
}

export interface FeedbackService {
  /** What a feedback link stands for; a forged, unknown or erased-reader link is the same 404 as a bad token. */
  openLink(value: string): Promise<FeedbackLink>;
  /** Records the link's vote: one row per reader and paper, the latest vote wins, a repeat changes nothing. */
  record(value: string): Promise<FeedbackLink>;
  /** The reader's votes, newest first (for the preferences page). */
  listForReader(token: string): Promise<ReaderFeedback[]>;
  /** Deletes the reader's vote on a paper; true when there was one. */
  undo(token: string, paperId: string): Promise<boolean>;
  /** Per paper of a delivery's web view, its feedback links; undefined when the value is not a delivery of `day`. */
  webViewLinks(value: string, day: string): Promise<Map<string, { moreUrl: string; lessUrl: string }> | undefined>;
}

export function createFeedbackService(deps: { prisma: PrismaClient; links: Links; secret: string }): FeedbackService {
  const { prisma, secret } = deps;
  const feedbackLinks = createFeedbackLinks(deps.links, secret);

  async function claimOf(value: string): Promise<FeedbackClaim> {
    const claim = readFeedback(secret, value);
    if (!claim) throw unknownLink();
    return claim;
  }

  async function openLink(value: string): Promise<FeedbackLink> {
    const claim = await claimOf(value);
    // The delivery must still carry the paper to a reader who has not been erased.
    const rows = await prisma.$queryRaw<{ title: string; current: Vote | null }[]>`
      SELECT p.title, f.vote::text AS current
      FROM deliveries d
      JOIN selections x ON x.id = d.selection_id
      JOIN subscribers s ON s.id = d.subscriber_id AND s.erased_at IS NULL
      JOIN papers p ON p.id = ${claim.paperId}
      LEFT JOIN feedback f ON f.subscriber_id = s.id AND f.paper_id = p.id
      WHERE d.id = ${claim.deliveryId} AND ${claim.paperId} = ANY(x.paper_ids)`;
    const row = rows[0];
    if (!row) throw unknownLink();
    return { ...claim, paperTitle: row.title, current: row.current ?? undefined };
  }

  return {
    openLink,

    async record(value) {
      const claim = await claimOf(value);
      // One statement that relies on what the link says: the delivery carries the paper to a reader not erased.
      // The interest keys come from the delivery's selection, as the reader's interests were when it was prepared.
      const written = await prisma.$executeRaw`
        INSERT INTO feedback (subscriber_id, paper_id, delivery_id, vote, interest_keys, updated_at)
        SELECT d.subscriber_id, ${claim.paperId}, d.id, ${claim.vote}::feedback_vote,
               coalesce(array(SELECT jsonb_array_elements_text(x.matches -> 'keys' -> ${claim.paperId})), '{}'),
               now()
        FROM deliveries d
        JOIN selections x ON x.id = d.selection_id
        JOIN subscribers s ON s.id = d.subscriber_id AND s.erased_at IS NULL
        WHERE d.id = ${claim.deliveryId} AND ${claim.paperId} = ANY(x.paper_ids)
        ON CONFLICT (subscriber_id, paper_id) DO UPDATE
          SET vote = excluded.vote, delivery_id = excluded.delivery_id, interest_keys = excluded.interest_keys,
              updated_at = now()
          WHERE feedback.vote <> excluded.vote`;
      const link = await openLink(value);
      if (written === 0 && link.current !== claim.vote) throw unknownLink();
      return link;
    },

    async listForReader(token) {
      if (!isWellFormedToken(token)) throw unknownLink();
      return prisma.$queryRaw<ReaderFeedback[]>`
        SELECT f.paper_id AS "paperId", p.title, f.vote::text AS vote, f.created_at AS "createdAt"
        FROM feedback f
        JOIN subscribers s ON s.id = f.subscriber_id
        JOIN papers p ON p.id = f.paper_id
        WHERE s.token = ${token} AND s.erased_at IS NULL
        ORDER BY f.updated_at DESC, f.id DESC`;
    },

    async undo(token, paperId) {
      if (!isWellFormedToken(token)) throw unknownLink();
      const deleted = await prisma.$executeRaw`
        DELETE FROM feedback f USING subscribers s
        WHERE s.id = f.subscriber_id AND s.token = ${token} AND s.erased_at IS NULL AND f.paper_id = ${paperId}`;
      return deleted > 0;
    },

    async webViewLinks(value, day) {
      const deliveryId = readDeliveryView(secret, value);
      if (deliveryId === undefined) return undefined;
      const rows = await prisma.$queryRaw<{ paperIds: string[] }[]>`
        SELECT x.paper_ids AS "paperIds"
        FROM deliveries d
        JOIN selections x ON x.id = d.selection_id
        JOIN digests g ON g.id = d.digest_id
        JOIN subscribers s ON s.id = d.subscriber_id AND s.erased_at IS NULL
        WHERE d.id = ${deliveryId} AND g.date = ${day}::date`;
      if (!rows[0]) return undefined;
      const votes = feedbackLinks.forDelivery(deliveryId);
      return new Map(
        rows[0].paperIds.map((id) => [id, { moreUrl: votes.vote(id, 'more'), lessUrl: votes.vote(id, 'less') }]),
      );
    },
  };
}
