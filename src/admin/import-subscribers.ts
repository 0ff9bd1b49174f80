// Importing readers from CSV, with a report line for every row. Two modes, chosen by the operator:
//  - confirmed: the readers opted in elsewhere, so they are active at once;
//  - pending: they get a confirmation email and become active only when they confirm.
// Rows whose `status` says paused, unsubscribed, bounced or complained keep that status in both modes (an export
// carries its opt-outs along), and a `pending` row stays pending. An import never lowers a reader's status: it may
// confirm a pending reader (confirmed mode), pause or unsubscribe one, but never makes an opted-out reader get mail.
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import { parseCsv } from './csv.js';
import { newReaderToken } from './reader-token.js';
import {
  parseSubscriberCsvHeader,
  parseSubscriberCsvRow,
  type SubscriberImportRow,
  type TopicRef,
} from './subscriber-csv.js';

export type ImportMode = 'confirmed' | 'pending';

export interface ImportReportRow {
  /** The record's place in the file, the header being row 1 (a spreadsheet's row number). */
  row: number;
  email: string;
  outcome: 'created' | 'updated' | 'skipped';
  /** Why a row was skipped. */
  reason?: string;
  id?: number;
  /** The reader's status after the import. */
  status?: SubscriberStatus;
  /** Pending mode: whether the confirmation email went out. */
  confirmation?: 'sent' | 'failed';
}

export interface ImportReport {
  mode: ImportMode;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  /** Header columns the import does not know and did not use. */
  ignoredColumns: string[];
  report: ImportReportRow[];
}

export const MAX_IMPORT_ROWS = 100_000;
const CONFIRM_VALID_MS = 7 * 24 * 3600 * 1000;
const CHUNK = 2000;

/** How firmly a status keeps mail away: an import may move a reader up this scale, never down. */
const RANK: Record<SubscriberStatus, number> = {
  pending: 0,
  active: 1,
  paused: 2,
  unsubscribed: 3,
  bounced: 3,
  complained: 3,
};

/** What the CSV text says, checked row by row; nothing is written yet. */
export async function readImport(
  db: PrismaClient | Prisma.TransactionClient,
  text: string,
): Promise<{
  rows: SubscriberImportRow[];
  refused: ImportReportRow[];
  ignoredColumns: string[];
  total: number;
  topicIds: Map<string, number>;
}> {
  const records = parseCsv(text);
  const [headerRecord, ...body] = records;
  if (!headerRecord) throw errors.badRequest('CSV: the file is empty; the first line must name the columns.');
  if (body.length > MAX_IMPORT_ROWS) {
    throw errors.badRequest(`CSV: ${body.length} rows is more than ${MAX_IMPORT_ROWS}; split the file.`);
  }
  const header = parseSubscriberCsvHeader(headerRecord);
  const catalog = await db.topic.findMany({ select: { id: true, slug: true, retiredAt: true } });
  const topics = new Map<string, TopicRef>(catalog.map((t) => [t.slug, { id: t.id, retired: t.retiredAt !== null }]));

  const rows: SubscriberImportRow[] = [];
  const refused: ImportReportRow[] = [];
  const seen = new Map<string, number>();
  body.forEach((record, i) => {
    const row = i + 2;
    const parsed = parseSubscriberCsvRow(record, row, header, topics);
    if (!parsed.ok) {
      refused.push({ row, email: parsed.email, outcome: 'skipped', reason: parsed.reason });
      return;
    }
    const first = seen.get(parsed.value.email.key);
    if (first !== undefined) {
      refused.push({
        row,
        email: parsed.value.email.address,
        outcome: 'skipped',
        reason: `the same address as row ${first}`,
      });
      return;
    }
    seen.set(parsed.value.email.key, row);
    rows.push(parsed.value);
  });
  const topicIds = new Map(catalog.map((t) => [t.slug, t.id]));
  return { rows, refused, ignoredColumns: header.ignored, total: body.length, topicIds };
}

/** The status a row asks for, before looking at any reader who already exists. */
export function requestedStatus(row: SubscriberImportRow, mode: ImportMode): SubscriberStatus {
  if (row.status === undefined || row.status === 'active') return mode === 'confirmed' ? 'active' : 'pending';
  return row.status;
}

/**
 * Writes the checked rows in the caller's transaction: new readers in bulk, existing ones one by one. Returns the
 * report lines of the written rows and the ids of new pending readers who are owed a confirmation email.
 */
export async function writeImport(
  tx: Prisma.TransactionClient,
  rows: SubscriberImportRow[],
  mode: ImportMode,
  topicIds: ReadonlyMap<string, number>,
  now = new Date(),
): Promise<{ report: ImportReportRow[]; confirm: number[] }> {
  const report: ImportReportRow[] = [];
  const confirm: number[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const existing = await tx.subscriber.findMany({
      where: { emailKey: { in: chunk.map((r) => r.email.key) } },
      select: {
        id: true,
        emailKey: true,
        status: true,
        keywords: true,
        maxPapers: true,
        topWhenNoMatch: true,
        unsubscribedAt: true,
        confirmedAt: true,
        topics: { select: { topicId: true } },
      },
    });
    const byKey = new Map(existing.map((s) => [s.emailKey, s]));
    const fresh = chunk.filter((r) => !byKey.has(r.email.key));

    // New readers: one insert for the chunk. A reader who signs up through the form in this very moment wins the
    // unique key; that row is reported as skipped rather than failing the whole import.
    const planned = fresh.map((r) => ({ row: r, data: newSubscriberData(r, requestedStatus(r, mode), now) }));
    const inserted = await tx.subscriber.createManyAndReturn({
      data: planned.map((p) => p.data),
      skipDuplicates: true,
      select: { id: true, emailKey: true, token: true, status: true },
    });
    const insertedByKey = new Map(inserted.map((s) => [s.emailKey, s]));
    const links: { subscriberId: number; topicId: number }[] = [];
    for (const { row, data } of planned) {
      const created = insertedByKey.get(row.email.key);
      if (!created || created.token !== data.token) {
        report.push(skipped(row, 'the address signed up through the form during the import; import it again'));
        continue;
      }
      for (const slug of row.topics ?? []) links.push({ subscriberId: created.id, topicId: topicIds.get(slug)! });
      report.push({
        row: row.row,
        email: row.email.address,
        outcome: 'created',
        id: created.id,
        status: created.status,
      });
      if (created.status === 'pending' && mode === 'pending') confirm.push(created.id);
    }
    if (links.length > 0) await tx.subscriberTopic.createMany({ data: links, skipDuplicates: true });

    for (const row of chunk) {
      const current = byKey.get(row.email.key);
      if (current) report.push(await updateExisting(tx, row, current, mode, topicIds, now));
    }
  }
  report.sort((a, b) => a.row - b.row);
  return { report, confirm };
}

function newSubscriberData(row: SubscriberImportRow, status: SubscriberStatus, now: Date) {
  const pending = status === 'pending';
  const optedOut = status === 'unsubscribed' || status === 'complained';
  return {
    email: row.email.address,
    emailKey: row.email.key,
    status,
    token: newReaderToken(),
    confirmToken: pending ? newReaderToken() : null,
    confirmExpiresAt: pending ? new Date(now.getTime() + CONFIRM_VALID_MS) : null,
    keywords: row.keywords ?? [],
    maxPapers: row.maxPapers ?? 10,
    topWhenNoMatch: row.topWhenNoMatch ?? false,
    createdAt: row.createdAt ?? now,
    confirmedAt: row.confirmedAt ?? (status === 'active' || status === 'paused' ? now : null),
    unsubscribedAt: row.unsubscribedAt ?? (optedOut ? now : null),
    bouncedAt: status === 'bounced' ? now : null,
  } satisfies Prisma.SubscriberCreateManyInput;
}

interface ExistingReader {
  id: number;
  status: SubscriberStatus;
  keywords: string[];
  maxPapers: number;
  topWhenNoMatch: boolean;
  unsubscribedAt: Date | null;
  confirmedAt: Date | null;
  topics: { topicId: number }[];
}

async function updateExisting(
  tx: Prisma.TransactionClient,
  row: SubscriberImportRow,
  current: ExistingReader,
  mode: ImportMode,
  topicIds: ReadonlyMap<string, number>,
  now: Date,
): Promise<ImportReportRow> {
  const wanted = requestedStatus(row, mode);
  if (RANK[current.status] === 3 && RANK[wanted] < 3) {
    const since = current.unsubscribedAt ? ` since ${current.unsubscribedAt.toISOString().slice(0, 10)}` : '';
    return skipped(row, `the reader is ${current.status}${since}; an import never subscribes them again`, current);
  }

  const data: Prisma.SubscriberUpdateInput = {};
  if (RANK[wanted] > RANK[current.status]) {
    data.status = wanted;
    if (wanted === 'active' || wanted === 'paused') {
      data.confirmedAt = current.confirmedAt ?? row.confirmedAt ?? now;
      data.confirmToken = null;
      data.confirmExpiresAt = null;
    }
    if (wanted === 'unsubscribed' || wanted === 'complained') data.unsubscribedAt = row.unsubscribedAt ?? now;
    if (wanted === 'bounced') data.bouncedAt = now;
    if (RANK[wanted] === 3) {
      data.confirmToken = null;
      data.confirmExpiresAt = null;
    }
  }
  if (row.keywords && !sameList(row.keywords, current.keywords)) data.keywords = row.keywords;
  if (row.maxPapers !== undefined && row.maxPapers !== current.maxPapers) data.maxPapers = row.maxPapers;
  if (row.topWhenNoMatch !== undefined && row.topWhenNoMatch !== current.topWhenNoMatch) {
    data.topWhenNoMatch = row.topWhenNoMatch;
  }
  const wantedTopics = row.topics?.map((slug) => topicIds.get(slug)!);
  const topicsChange =
    wantedTopics !== undefined &&
    !sameList(wantedTopics.map(String).sort(), current.topics.map((t) => String(t.topicId)).sort());

  if (Object.keys(data).length === 0 && !topicsChange) return skipped(row, 'already up to date', current);
  if (wantedTopics && topicsChange) {
    await tx.subscriberTopic.deleteMany({ where: { subscriberId: current.id } });
    await tx.subscriberTopic.createMany({
      data: wantedTopics.map((topicId) => ({ subscriberId: current.id, topicId })),
    });
  }
  const updated = await tx.subscriber.update({ where: { id: current.id }, data, select: { status: true } });
  return { row: row.row, email: row.email.address, outcome: 'updated', id: current.id, status: updated.status };
}

function skipped(row: SubscriberImportRow, reason: string, current?: { id: number; status: SubscriberStatus }) {
  return {
    row: row.row,
    email: row.email.address,
    outcome: 'skipped' as const,
    reason,
    ...(current ? { id: current.id, status: current.status } : {}),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
