// Planning one batch of waiting readers: the interests new to this batch are matched (each interest once a day,
// however many readers share it), then every reader's selection is made from the matches, their feedback profile
// and what other issues already carried to them. The planner keeps what the day's batches share: the topics read so
// far, and the day's (and the week's) papers with their matches.
import type { PrismaClient } from '../db/client.js';
import { loadReaderProfiles } from '../feedback/reader-profiles.js';
import type { Interest, InterestMatches } from '../relevance/interest-matcher.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { dueTimes, localWeekday } from '../schedule/due-time.js';
import type { SettingsDefaults } from '../subscriptions/delivery-settings.js';
import { type DayPaper, loadPeriodPapers, weekStart } from './day-papers.js';
import type { DigestKind, PreparedSelection, PrepareOptions, PrepareReport } from './prepare-digest.js';
import { keywordInterest, loadTopicInterests, readerInterests } from './reader-interests.js';
import { type ReaderInterests, selectPapers } from './select-papers.js';
import { loadAlreadySent, type ReaderRow } from './waiting-readers.js';

/** Papers and, per interest key, the ones it matched: filled batch by batch as new interests turn up. */
interface MatchContext {
  papers: DayPaper[];
  matches: InterestMatches;
}

/** A reader's own interests and the keywords they exclude, both as the matcher takes them. */
interface ReaderWants {
  own: Interest[];
  excludes: Interest[];
}

export interface BatchPlannerDeps {
  prisma: PrismaClient;
  matcher: InterestMatcher;
  day: string;
  papers: DayPaper[];
  options: PrepareOptions;
  /** Counters and issue ids are written here as batches are planned. */
  report: PrepareReport;
  /** The issue of `kind` for the day: created, or on a dry run only looked up. */
  issue(kind: DigestKind): Promise<number | undefined>;
  /** When a due reader is due: their own zone and hour, or `preparedAt` for everything due at once. */
  dueNow: boolean;
  preparedAt: Date;
  defaults: SettingsDefaults;
}

export interface BatchPlanner {
  /** The selections for this batch's readers who are due and have something to read. */
  plan(rows: ReaderRow[]): Promise<PreparedSelection[]>;
  /** Dry run: the addresses of readers with nothing to read. */
  readonly unmatched: string[];
  /** Every interest key matched so far (day and week). */
  matchedKeys(): Set<string>;
}

export function createBatchPlanner(deps: BatchPlannerDeps): BatchPlanner {
  const { prisma, matcher, day, papers, options, report } = deps;
  const weekday = localWeekday(new Date(`${day}T12:00:00Z`), 'UTC');
  // A weekly reader gets the week on their weekday, nothing on the others.
  const theirDay = (r: ReaderRow) => r.cadence === 'daily' || options.anyWeekday === true || r.weekday === weekday;
  const dueOf = dueTimes(deps.preparedAt);
  const topics = new Map<number, Interest>();
  const unmatched: string[] = [];
  const dayContext: MatchContext = { papers, matches: new Map() };
  let weekContext: MatchContext | undefined;
  /** The papers "already sent" is asked about: the day's, and the week's once a weekly reader turns up. */
  let sentPaperIds = [...new Set(papers.map((p) => p.id))];
  const contextOf = (row: ReaderRow) => (row.cadence === 'weekly' ? weekContext! : dayContext);

  /** Topics not read yet, and the week's papers the first time a weekly reader is due. */
  async function loadWhatIsNew(readers: ReaderRow[]): Promise<void> {
    const missingTopics = [...new Set(readers.flatMap((r) => r.topicIds))].filter((id) => !topics.has(id));
    for (const [id, topic] of await loadTopicInterests(prisma, missingTopics)) topics.set(id, topic);
    if (!weekContext && readers.some((r) => r.cadence === 'weekly')) {
      report.weekDigestId = await deps.issue('week');
      weekContext = { papers: await loadPeriodPapers(prisma, weekStart(day), day), matches: new Map() };
      sentPaperIds = [...new Set([...papers, ...weekContext.papers].map((p) => p.id))];
    }
  }

  /** Matches the interests no earlier batch asked for, each against the papers its readers' cadence reads. */
  function matchNewInterests(readers: ReaderRow[], wants: Map<ReaderRow, ReaderWants>): void {
    const wanted = new Map<MatchContext, Map<string, Interest>>();
    for (const row of readers) {
      const context = contextOf(row);
      const fresh = wanted.get(context) ?? new Map<string, Interest>();
      wanted.set(context, fresh);
      const { own, excludes } = wants.get(row)!;
      for (const i of [...own, ...excludes]) if (!context.matches.has(i.key)) fresh.set(i.key, i);
    }
    const started = performance.now();
    for (const [context, fresh] of wanted) {
      if (fresh.size === 0) continue;
      for (const [key, matches] of matcher.matchPapers(context.papers, [...fresh.values()])) {
        context.matches.set(key, matches);
      }
    }
    report.matchMs += performance.now() - started;
  }

  async function plan(rows: ReaderRow[]): Promise<PreparedSelection[]> {
    const readers = rows.filter(theirDay);
    report.notTheirDay += rows.length - readers.length;
    report.readers += readers.length;
    if (readers.length === 0) return [];
    await loadWhatIsNew(readers);
    const wants = new Map<ReaderRow, ReaderWants>(
      readers.map((row) => [
        row,
        {
          own: readerInterests(row.topicIds, row.keywords, topics),
          // Exclusions are matched like keywords (and share the matching with anyone's keyword of the same text).
          excludes: row.excludeKeywords.map(keywordInterest).filter((i) => i !== undefined),
        },
      ]),
    );
    matchNewInterests(readers, wants);

    const ids = readers.map((r) => r.id);
    const [profiles, alreadySent] = await Promise.all([
      loadReaderProfiles(prisma, ids),
      loadAlreadySent(prisma, sentPaperIds, ids),
    ]);
    const planned: PreparedSelection[] = [];
    const { timezone, hour } = deps.defaults;
    for (const row of readers) {
      const { own, excludes } = wants.get(row)!;
      const reader: ReaderInterests = {
        interests: own.map(({ key, label }) => ({ key, label })),
        maxPapers: row.maxPapers,
        topWhenNoMatch: row.topWhenNoMatch,
        profile: profiles.get(row.id),
        excludes: excludes.map((i) => i.key),
        authors: row.authors,
      };
      const selection = selectPapers(reader, contextOf(row), alreadySent.get(row.id));
      if (!selection) {
        report.noMatch++;
        if (options.dryRun) unmatched.push(row.email);
        continue;
      }
      planned.push({
        digestId: row.cadence === 'weekly' ? report.weekDigestId : report.digestId,
        subscriberId: row.id,
        email: row.email,
        ...selection,
        dueAt: deps.dueNow ? deps.preparedAt : dueOf(row.timezone ?? timezone, row.hour ?? hour),
        byEmail: row.channel !== 'feed',
      });
    }
    return planned;
  }

  return {
    plan,
    unmatched,
    matchedKeys: () => new Set([...dayContext.matches.keys(), ...(weekContext?.matches.keys() ?? [])]),
  };
}
