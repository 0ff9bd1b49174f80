// The readers as CSV (README, "CSV format"). Erased readers are left out: nothing of them is left to export.
import type { PrismaClient } from '../db/client.js';
import { formatCsv } from './csv.js';
import { type SubscriberFilter, subscriberViewSelect, subscriberWhere, toSubscriberView } from './find-subscribers.js';
import { SUBSCRIBER_CSV_COLUMNS, subscriberCsvCells } from './subscriber-csv.js';

const BATCH = 1000;

/** A CSV file as the batches it was built in: sent one after the other, never joined into one more copy. */
export interface CsvBytes {
  chunks: Buffer[];
  bytes: number;
}

/**
 * The CSV (UTF-8) and how many readers it holds. Reads in batches by id so a large list never loads at once, and
 * keeps each batch as bytes outside the JavaScript heap: a million readers make ~200 MB of CSV, which as one string
 * would not fit the main thread's bounded heap (bin/papermail-node), and which joined into one Buffer would be held
 * twice while it was copied.
 */
export async function exportSubscribersCsv(
  prisma: PrismaClient,
  filter: SubscriberFilter,
): Promise<{ csv: CsvBytes; count: number }> {
  const where = { ...(await subscriberWhere(prisma, filter)), erasedAt: null };
  const parts = [Buffer.from(formatCsv([SUBSCRIBER_CSV_COLUMNS]))];
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await prisma.subscriber.findMany({
      where: { ...where, id: { gt: after } },
      select: subscriberViewSelect,
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    if (rows.length === 0) break;
    parts.push(Buffer.from(formatCsv(rows.map((r) => subscriberCsvCells(toSubscriberView(r))))));
    count += rows.length;
    after = rows[rows.length - 1]!.id;
  }
  return { csv: { chunks: parts, bytes: parts.reduce((sum, part) => sum + part.length, 0) }, count };
}
