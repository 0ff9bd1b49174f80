// Importing readers from CSV, with a report line for every row. Two modes, chosen by the operator:
//  - confirmed: the readers opted in elsewhere, so they are active at once;
//  - pending: they get a confirmation email and become active only when they confirm.
// Rows whose `status` says paused, unsubscribed, bounced or complained keep that status in both modes (an export
// carries its opt-outs along), and a `pending` row stays pending. An import never lowers a reader's status: it may
// confirm a pending reader (confirmed mode), pause or unsubscribe one, but never makes an opted-out reader get mail.
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import type { StoredDeliverySettings } from '../subscriptions/delivery-settings.js';
import { newToken } from '../subscriptions/tokens.js';
import { parseCsv } from './csv.js';
import {
  type ExistingReader,
  findReadersByKey,
  insertReaders,
  type NewReader,
  type ReaderUpdate,
  replaceTopics,
  updateReaders,
} from './subscriber-bulk-writes.js';
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
const CHUNK = 5000;

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
 * Writes the checked rows in the caller's transaction, a chunk at a time. Returns the report lines of the written
 * rows and the ids of new pending readers who are owed a confirmation email.
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
  const idsOf = (row: SubscriberImportRow) => (row.topics ?? []).map((slug) => topicIds.get(slug)!);
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const existing = new Map(
      (
        await findReadersByKey(
          tx,
          chunk.map((r) => r.email.key),
        )
      ).map((reader) => [reader.emailKey, reader]),
    );

    // New readers. One who signs up through the form at this very moment wins the address; that row is reported
    // as skipped rather than failing the whole import.
    const planned = chunk
      .filter((r) => !existing.has(r.email.key))
      .map((row) => ({ row, reader: newReader(row, requestedStatus(row, mode), now) }));
    const inserted = new Map(
      (
        await insertReaders(
          tx,
          planned.map((p) => p.reader),
          now,
        )
      ).map((r) => [r.emailKey, r]),
    );
    const selections: { subscriberId: number; topicIds: number[] }[] = [];
    for (const { row, reader } of planned) {
      const created = inserted.get(row.email.key);
      if (!created || created.token !== reader.token) {
        report.push(skipped(row, 'the address signed up through the form during the import; import it again'));
        continue;
      }
      selections.push({ subscriberId: created.id, topicIds: idsOf(row) });
      report.push({
        row: row.row,
        email: row.email.address,
        outcome: 'created',
        id: created.id,
        status: created.status,
      });
      if (created.status === 'pending' && mode === 'pending') confirm.push(created.id);
    }
    await replaceTopics(tx, selections, { fresh: true });

    // Readers who exist already.
    const updates: ReaderUpdate[] = [];
    const topicChanges: { subscriberId: number; topicIds: number[] }[] = [];
    for (const row of chunk) {
      const current = existing.get(row.email.key);
      if (!current) continue;
      const decision = decideUpdate(row, current, mode, row.topics ? idsOf(row) : undefined, now);
      if ('reason' in decision) {
        report.push(skipped(row, decision.reason, current));
        continue;
      }
      if (decision.update) updates.push(decision.update);
      if (decision.topicIds) topicChanges.push({ subscriberId: current.id, topicIds: decision.topicIds });
      const status = decision.update?.status ?? current.status;
      report.push({ row: row.row, email: row.email.address, outcome: 'updated', id: current.id, status });
    }
    await updateReaders(tx, updates, now);
    await replaceTopics(tx, topicChanges);
  }
  report.sort((a, b) => a.row - b.row);
  return { report, confirm };
}

function newReader(row: SubscriberImportRow, status: SubscriberStatus, now: Date): NewReader {
  const pending = status === 'pending';
  const optedOut = status === 'unsubscribed' || status === 'complained';
  return {
    email: row.email.address,
    emailKey: row.email.key,
    status,
    token: newToken(),
    confirmToken: pending ? newToken() : null,
    confirmExpiresAt: pending ? new Date(now.getTime() + CONFIRM_VALID_MS) : null,
    keywords: row.keywords ?? [],
    maxPapers: row.maxPapers ?? 10,
    topWhenNoMatch: row.topWhenNoMatch ?? false,
    createdAt: row.createdAt ?? now,
    confirmedAt: row.confirmedAt ?? (status === 'active' || status === 'paused' ? now : null),
    unsubscribedAt: row.unsubscribedAt ?? (optedOut ? now : null),
    bouncedAt: status === 'bounced' ? now : null,
    ...deliveryOf(row, NEW_READER_DELIVERY),
  };
}

/** What a reader made by an import has unless the row says otherwise: the schema's defaults. */
const NEW_READER_DELIVERY: StoredDeliverySettings = {
  cadence: 'daily',
  weekday: 1,
  timezone: null,
  hour: null,
  channel: 'email',
  excludeKeywords: [],
  authors: [],
};

/** The row's settings over `current`: a setting the row does not give stays (null is a value: the operator's). */
function deliveryOf(row: SubscriberImportRow, current: StoredDeliverySettings): StoredDeliverySettings {
  const d = row.delivery;
  return {
    cadence: d.cadence ?? current.cadence,
    weekday: d.weekday ?? current.weekday,
    timezone: d.timezone !== undefined ? d.timezone : current.timezone,
    hour: d.hour !== undefined ? d.hour : current.hour,
    channel: d.channel ?? current.channel,
    excludeKeywords: d.excludeKeywords ?? current.excludeKeywords,
    authors: d.authors ?? current.authors,
  };
}

function sameDelivery(a: StoredDeliverySettings, b: StoredDeliverySettings): boolean {
  return (
    a.cadence === b.cadence &&
    a.weekday === b.weekday &&
    a.timezone === b.timezone &&
    a.hour === b.hour &&
    a.channel === b.channel &&
    sameList(a.excludeKeywords, b.excludeKeywords) &&
    sameList(a.authors, b.authors)
  );
}

/**
 * What an import row does to a reader who exists: a status only ever moves up the RANK scale, and only the columns
 * the file has are applied. Returns the update (if any field changes), the new topic selection (if it changes), or
 * why the row is skipped.
 */
function decideUpdate(
  row: SubscriberImportRow,
  current: ExistingReader,
  mode: ImportMode,
  wantedTopics: number[] | undefined,
  now: Date,
): { update?: ReaderUpdate; topicIds?: number[] } | { reason: string } {
  const wanted = requestedStatus(row, mode);
  if (RANK[current.status] === 3 && RANK[wanted] < 3) {
    const since = current.unsubscribedAt ? ` since ${current.unsubscribedAt.toISOString().slice(0, 10)}` : '';
    return { reason: `the reader is ${current.status}${since}; an import never subscribes them again` };
  }
  const update: ReaderUpdate = {
    id: current.id,
    status: current.status,
    keywords: row.keywords ?? current.keywords,
    maxPapers: row.maxPapers ?? current.maxPapers,
    topWhenNoMatch: row.topWhenNoMatch ?? current.topWhenNoMatch,
    confirmedAt: null,
    unsubscribedAt: null,
    bouncedAt: null,
    clearConfirmation: false,
    ...deliveryOf(row, current),
  };
  const statusChanges = RANK[wanted] > RANK[current.status];
  if (statusChanges) {
    update.status = wanted;
    update.clearConfirmation = true;
    if (wanted === 'active' || wanted === 'paused') update.confirmedAt = current.confirmedAt ?? row.confirmedAt ?? now;
    if (wanted === 'unsubscribed' || wanted === 'complained') update.unsubscribedAt = row.unsubscribedAt ?? now;
    if (wanted === 'bounced') update.bouncedAt = now;
  }
  const fieldsChange =
    statusChanges ||
    !sameList(update.keywords, current.keywords) ||
    update.maxPapers !== current.maxPapers ||
    update.topWhenNoMatch !== current.topWhenNoMatch ||
    !sameDelivery(update, current);
  const sortedTopics = wantedTopics ? [...new Set(wantedTopics)].sort((a, b) => a - b) : undefined;
  const topicsChange = sortedTopics !== undefined && !sameList(sortedTopics.map(String), current.topicIds.map(String));
  if (!fieldsChange && !topicsChange) return { reason: 'already up to date' };
  return { update: fieldsChange ? update : undefined, topicIds: topicsChange ? sortedTopics : undefined };
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
