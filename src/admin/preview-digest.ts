// The digest one reader got on a day (their delivery's selection, rendered again) or would get (matched now for
// this reader alone, writing nothing): what the admin looks at when a reader asks "why did I get this?". The day's
// issues are its own and the week's that ends on it.
import type { PrismaClient } from '../db/client.js';
import { loadDayPapers, loadPeriodPapers, weekStart } from '../digest/day-papers.js';
import { toPaperView } from '../digest/paper-view.js';
import { loadTopicInterests, readerInterests } from '../digest/reader-interests.js';
import type { DigestRenderer } from '../digest/render-digest.js';
import { type DeliveryMatches, selectPapers } from '../digest/select-papers.js';
import { errors } from '../errors.js';
import { loadReaderProfiles } from '../feedback/reader-profiles.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { findReaderByEmail } from './digest-days.js';

export interface DigestPreview {
  /** `delivered`: re-rendered from a delivery of the day. `would-get`: matched now; nothing was written. */
  kind: 'delivered' | 'would-get';
  subscriberId: number;
  deliveryId: number | undefined;
  deliveryStatus: string | undefined;
  paperIds: string[];
  subject: string;
  html: string;
}

/**
 * The latest delivery of the day that was sent (else the latest one, whatever its status) is rendered from its own
 * papers. Without a delivery, the reader's current interests are matched against the day's list.
 */
export async function previewDigest(
  prisma: PrismaClient,
  matcher: InterestMatcher,
  render: DigestRenderer,
  day: string,
  email: string,
): Promise<DigestPreview> {
  const reader = await findReaderByEmail(prisma, email);
  const dayPapers = await loadDayPapers(prisma, day);
  if (dayPapers.length === 0) throw errors.notFound(`No papers are listed on ${day}: there is nothing to preview.`);
  // A weekly selection reaches back over the week that ends on the day.
  const papers = new Map((await loadPeriodPapers(prisma, weekStart(day), day)).map((p) => [p.id, toPaperView(p)]));

  const deliveries = await prisma.$queryRaw<
    { id: number; status: string; paperIds: string[]; matches: DeliveryMatches }[]
  >`
    SELECT d.id, d.status::text AS status, x.paper_ids AS "paperIds", x.matches
    FROM deliveries d JOIN selections x ON x.id = d.selection_id JOIN digests g ON g.id = d.digest_id
    WHERE g.date = ${day}::date AND d.subscriber_id = ${reader.id}
    ORDER BY (d.status = 'sent') DESC, d.id DESC
    LIMIT 1`;
  const delivery = deliveries[0];
  if (delivery) {
    const message = render({
      day,
      papers,
      paperIds: delivery.paperIds,
      matches: delivery.matches,
      token: reader.token,
    });
    return {
      kind: 'delivered',
      subscriberId: reader.id,
      deliveryId: delivery.id,
      deliveryStatus: delivery.status,
      paperIds: delivery.paperIds,
      ...message,
    };
  }

  const topicIds = (
    await prisma.subscriberTopic.findMany({ where: { subscriberId: reader.id }, select: { topicId: true } })
  ).map((t) => t.topicId);
  const interests = readerInterests(
    topicIds.sort((a, b) => a - b),
    reader.keywords,
    await loadTopicInterests(prisma, topicIds),
  );
  const matches = matcher.matchPapers(dayPapers, interests);
  const alreadySent = await papersSentBefore(
    prisma,
    reader.id,
    day,
    dayPapers.map((p) => p.id),
  );
  const selection = selectPapers(
    {
      interests: interests.map(({ key, label }) => ({ key, label })),
      maxPapers: reader.maxPapers,
      topWhenNoMatch: reader.topWhenNoMatch,
      profile: (await loadReaderProfiles(prisma, [reader.id])).get(reader.id),
    },
    { papers: dayPapers, matches },
    alreadySent,
  );
  if (!selection) {
    throw errors.notFound(`Nothing on ${day} matches this reader's interests: they would get no email that day.`);
  }
  const message = render({ day, papers, ...selection, token: reader.token });
  return {
    kind: 'would-get',
    subscriberId: reader.id,
    deliveryId: undefined,
    deliveryStatus: undefined,
    paperIds: selection.paperIds,
    ...message,
  };
}

/** Today's papers another issue already carried to this reader (they are not sent twice). */
async function papersSentBefore(
  prisma: PrismaClient,
  subscriberId: number,
  day: string,
  paperIds: string[],
): Promise<Set<string>> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT unnest(x.paper_ids) AS id
    FROM selections x JOIN digests g ON g.id = x.digest_id
    WHERE x.subscriber_id = ${subscriberId} AND g.date <> ${day}::date AND x.paper_ids && ${paperIds}::text[]
      AND (NOT x.by_email OR EXISTS (
        SELECT 1 FROM deliveries d WHERE d.selection_id = x.id AND d.status IN ('pending', 'sending', 'sent')))`;
  const today = new Set(paperIds);
  return new Set(rows.map((r) => r.id).filter((id) => today.has(id)));
}
