// How a topic performs: per listed day, how many of the day's papers it matched, with who reads it and what they
// said about its papers. The counts come from the one matcher, so they are what the daily run matched.
import type { PrismaClient } from '../db/client.js';
import type { Interest } from '../relevance/interest-matcher.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { countFeedback, type FeedbackCounts } from './feedback-counts.js';
import { latestListedDays } from './listed-days.js';

export const PERFORMANCE_DAYS = 30;

export interface DayPerformance {
  date: string;
  papersListed: number;
  papersMatched: number;
}

export interface TopicPerformance {
  days: DayPerformance[];
  readers: {
    /** Active readers who chose it: those who get its matches. */
    active: number;
    /** Readers who chose it, whatever their status. */
    total: number;
  };
  feedback: FeedbackCounts;
}

export async function measureTopic(
  prisma: PrismaClient,
  matcher: InterestMatcher,
  topicId: number,
  interest: Interest,
): Promise<TopicPerformance> {
  const dates = await latestListedDays(prisma, PERFORMANCE_DAYS);
  const papersByDay = dates.length > 0 ? await matcher.loadDays(dates[0]!, dates.at(-1)!) : new Map();
  const days = dates.map((date) => {
    const papers = papersByDay.get(date) ?? [];
    const matched = matcher.matchPapers(papers, [interest]).get(interest.key);
    return { date, papersListed: papers.length, papersMatched: matched?.size ?? 0 };
  });
  const [active, total, feedback] = await Promise.all([
    prisma.subscriberTopic.count({ where: { topicId, subscriber: { status: 'active' } } }),
    prisma.subscriberTopic.count({ where: { topicId } }),
    countFeedback(prisma, interest.key),
  ]);
  return { days, readers: { active, total }, feedback };
}
