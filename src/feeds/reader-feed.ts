// A reader's personal Atom feed (RFC 4287): the papers their digests selected over the last 30 days, with the
// "why". Reached by its own token, which grants the feed and nothing else; replacing it kills the old URL at once.
// Built with fast-xml-parser's XMLBuilder, so every value is escaped by the library.
import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import type { PrismaClient } from '../db/client.js';
import { type DayPaper, loadPeriodPapers } from '../digest/day-papers.js';
import { toPaperView } from '../digest/paper-view.js';
import type { DeliveryMatches } from '../digest/select-papers.js';
import type { Links } from '../links.js';
import { unknownLink } from '../subscriptions/find-reader.js';
import { isWellFormedToken } from '../subscriptions/tokens.js';

export const FEED_DAYS = 30;

export interface ReaderFeed {
  xml: string;
  /** A strong validator of the body. */
  etag: string;
  lastModified: Date;
}

interface SelectionRow {
  day: string;
  createdAt: Date;
  paperIds: string[];
  matches: DeliveryMatches;
}

/** The feed behind a feed token; 404 for any token that is not a reader's current one. */
export async function buildReaderFeed(
  prisma: PrismaClient,
  links: Pick<Links, 'feed' | 'home'>,
  feedToken: unknown,
  now: Date = new Date(),
): Promise<ReaderFeed> {
  if (!isWellFormedToken(feedToken)) throw unknownLink();
  const reader = await prisma.subscriber.findFirst({
    where: { feedToken, erasedAt: null },
    select: { id: true, token: true, createdAt: true },
  });
  if (!reader) throw unknownLink();
  // Every selection, whatever became of its email (none for a feed-only reader, or one that bounced).
  const rows = await prisma.$queryRaw<SelectionRow[]>`
    SELECT to_char(g.date, 'YYYY-MM-DD') AS day, x.created_at AS "createdAt", x.paper_ids AS "paperIds", x.matches
    FROM selections x JOIN digests g ON g.id = x.digest_id
    WHERE x.subscriber_id = ${reader.id}
      AND x.created_at > ${now}::timestamptz AT TIME ZONE 'UTC' - ${FEED_DAYS} * interval '1 day'
    ORDER BY x.created_at DESC, x.id DESC`;
  const papers = await papersOf(prisma, rows);

  const entries = rows.flatMap((row) =>
    row.paperIds.flatMap((id) => {
      const paper = papers.get(id);
      if (!paper) return [];
      const view = toPaperView(paper);
      const why = row.matches.why?.[id] ?? [];
      return [
        {
          title: { '#text': view.title, '@_type': 'text' },
          id: `tag:papermail,2026:paper:${id}`,
          link: { '@_rel': 'alternate', '@_href': view.url },
          updated: row.createdAt.toISOString(),
          author: paper.authors.length > 0 ? paper.authors.map((name: string) => ({ name })) : [{ name: 'unknown' }],
          summary: { '#text': view.summary, '@_type': 'text' },
          content: {
            '#text': why.length > 0 ? `Why you get this: ${why.join(', ')}.` : `Trending on ${row.day}.`,
            '@_type': 'text',
          },
          category: why.map((term) => ({ '@_term': term })),
        },
      ];
    }),
  );
  const updated = rows[0]?.createdAt ?? reader.createdAt;
  const self = links.feed(feedToken);
  const feed = {
    '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' },
    feed: {
      '@_xmlns': 'http://www.w3.org/2005/Atom',
      // Stable over token changes, and says nothing about the reader: a hash of the long-lived token.
      id: `tag:papermail,2026:feed:${createHash('sha256').update(reader.token).digest('hex').slice(0, 32)}`,
      title: 'papermail: your papers',
      subtitle: `The papers picked for you over the last ${FEED_DAYS} days.`,
      updated: updated.toISOString(),
      link: [
        { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': self },
        { '@_rel': 'alternate', '@_href': links.home() },
      ],
      generator: 'papermail',
      entry: entries,
    },
  };
  const xml = builder.build(feed) as string;
  const etag = `"${createHash('sha256').update(xml).digest('base64url').slice(0, 27)}"`;
  return { xml, etag, lastModified: updated };
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
});

/** The papers the selections carry, with the numbers of their latest listing. */
async function papersOf(prisma: PrismaClient, rows: SelectionRow[]): Promise<Map<string, DayPaper>> {
  const days = rows.map((r) => r.day).sort();
  if (days.length === 0) return new Map();
  const wanted = new Set(rows.flatMap((r) => r.paperIds));
  // A weekly selection reaches six days before its digest's day.
  const from = new Date(Date.parse(`${days[0]}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  const papers = await loadPeriodPapers(prisma, from, days.at(-1)!);
  return new Map(papers.filter((p) => wanted.has(p.id)).map((p) => [p.id, p]));
}
