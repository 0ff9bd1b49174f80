// Ingest: fetch a day's trending papers from a source and store them (papers + listings) in one transaction.
// The scheduler, the CLI and admin actions all come through `ingestDay`.
import type { Config } from '../config.js';
import { formatDay, parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { createPaperSource, parseSourceSpec, type SourceTuning } from './create-paper-source.js';
import type { PaperSource, SkippedItem } from './paper-source.js';
import { storeDay } from './store-day.js';

export interface IngestReport {
  day: string;
  /** What `listings.source` records: huggingface, arxiv or file. */
  source: string;
  /** Items the source listed for the day, read or not. */
  fetched: number;
  /** Listings new on the day. */
  created: number;
  /** Listings already stored whose upvotes, comments or rank changed. */
  updated: number;
  /** Listings already stored and unchanged. */
  unchanged: number;
  /** Papers seen for the first time (a paper can trend on several days). */
  newPapers: number;
  skipped: SkippedItem[];
}

export interface IngestService {
  /**
   * Fetches `day` (YYYY-MM-DD) from `source` ('huggingface' | 'arxiv' | 'file:PATH'; default: SOURCE) and stores
   * it. Throws invalidDate, badRequest (unknown source), sourceResponse or sourceUnavailable; then nothing of the
   * day was written.
   */
  ingestDay(day: string, source?: string): Promise<IngestReport>;
}

export interface IngestDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  tuning?: SourceTuning;
}

export function createIngestService(deps: IngestDeps): IngestService {
  const { prisma, config, log } = deps;
  // One source (and so one HTTP client, with its arXiv spacing and rate-limit state) per name for the service's life.
  const sources = new Map<string, PaperSource>();
  const sourceFor = (name: string): PaperSource => {
    let source = sources.get(name);
    if (!source) {
      source = createPaperSource(parseSourceSpec(name), config, log, deps.tuning);
      sources.set(name, source);
    }
    return source;
  };

  return {
    async ingestDay(dayText, sourceName = config.sources.default) {
      const day = formatDay(parseDay(dayText));
      const source = sourceFor(sourceName);
      const started = Date.now();
      const fetched = await source.fetchDay(day);
      // Every item unreadable means the API changed shape, not that one item is odd: fail loudly.
      if (fetched.listings.length === 0 && fetched.skipped.length > 0) {
        throw errors.sourceResponse(
          `none of the ${fetched.fetched} items ${source.name} listed for ${day} could be read (first: ${fetched.skipped[0]!.reason})`,
        );
      }
      const stored = await storeDay(prisma, day, fetched.source, fetched.listings);
      const report: IngestReport = {
        day,
        source: fetched.source,
        fetched: fetched.fetched,
        ...stored,
        skipped: fetched.skipped,
      };
      log.info({ ...report, skipped: report.skipped.length, ms: Date.now() - started }, 'day ingested');
      for (const item of fetched.skipped) log.warn({ day, source: fetched.source, ...item }, 'source item skipped');
      return report;
    },
  };
}
