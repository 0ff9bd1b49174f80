// Readers' "More like this" / "Not for me" votes on a topic's papers. The feedback table belongs to the feedback
// feature and may not exist on this install yet: its presence and its interest-key column are read from
// information_schema, and without them the counts are zero, so the topic performance works before and after it.
import { Prisma, type PrismaClient } from '../db/client.js';

export interface FeedbackCounts {
  /** Whether this install records feedback at all (the table exists with a vote and an interest key). */
  recorded: boolean;
  more: number;
  less: number;
}

interface Column {
  name: string;
  type: string;
}

const none: FeedbackCounts = { recorded: false, more: 0, less: 0 };

function identifier(name: string): Prisma.Sql {
  return Prisma.raw(`"${name.replace(/"/g, '""')}"`);
}

/** How a row says it concerns `key`: its interest keys are an array, a JSON array or a single key. */
function keyCondition(column: Column, key: string): Prisma.Sql | undefined {
  const col = identifier(column.name);
  if (column.type === 'ARRAY') return Prisma.sql`${key} = ANY(${col})`;
  if (column.type === 'jsonb') return Prisma.sql`${col} @> jsonb_build_array(${key}::text)`;
  if (column.type === 'text' || column.type === 'character varying') return Prisma.sql`${col} = ${key}`;
  return undefined;
}

/** Votes that name `interestKey` (`topic:<id>`), all time. */
export async function countFeedback(prisma: PrismaClient, interestKey: string): Promise<FeedbackCounts> {
  const columns = await prisma.$queryRaw<Column[]>`
    SELECT column_name AS name, data_type AS type FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'feedback'`;
  const vote = columns.find((c) => c.name === 'vote');
  const keys = columns.find((c) => /^interest_?keys?$/.test(c.name));
  const condition = keys && keyCondition(keys, interestKey);
  if (!vote || !condition) return none;
  const [row] = await prisma.$queryRaw<{ more: number; less: number }[]>`
    SELECT count(*) FILTER (WHERE vote::text = 'more')::int AS more, count(*) FILTER (WHERE vote::text = 'less')::int AS less
    FROM feedback WHERE ${condition}`;
  return { recorded: true, more: row?.more ?? 0, less: row?.less ?? 0 };
}
