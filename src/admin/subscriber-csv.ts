// The CSV format of readers, both ways: what an export writes and what an import reads back. One header line names
// the columns; an import needs `email` and applies only the columns it was given (README, "CSV format").
import { parseDay } from '../dates.js';
import { errors, isPapermailError } from '../errors.js';
import type { SubscriberStatus } from '../generated/prisma/enums.js';
import { type EmailAddress, parseEmailAddress } from '../subscriptions/email-address.js';
import { checkKeywords, KEYWORD_SEPARATOR } from '../subscriptions/keywords.js';
import { unguardCsvCell } from './csv.js';
import { DELIVERY_CSV_COLUMNS, deliveryCsvCells, type ImportDelivery, parseDeliveryCells } from './delivery-csv.js';
import type { SubscriberView } from './find-subscribers.js';

export const SUBSCRIBER_CSV_COLUMNS = [
  'email',
  'status',
  'topics',
  'keywords',
  'max_papers',
  'top_when_no_match',
  'created_at',
  'confirmed_at',
  'unsubscribed_at',
  ...DELIVERY_CSV_COLUMNS,
] as const;

type Column = (typeof SUBSCRIBER_CSV_COLUMNS)[number];

const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'];

/**
 * One reader as an export row, in the order of SUBSCRIBER_CSV_COLUMNS. Topics are slugs separated by spaces,
 * keywords by "; " (the keyword policy refuses ";" inside a keyword, so the split on import is exact); the delivery
 * settings as delivery-csv.ts writes them.
 */
export function subscriberCsvCells(s: SubscriberView): string[] {
  return [
    s.email,
    s.status,
    s.topics.join(' '),
    s.keywords.join(`${KEYWORD_SEPARATOR} `),
    String(s.maxPapers),
    String(s.topWhenNoMatch),
    s.createdAt,
    s.confirmedAt ?? '',
    s.unsubscribedAt ?? '',
    ...deliveryCsvCells(s.delivery),
  ];
}

export interface CsvHeader {
  /** Where each known column is in a record. */
  index: Partial<Record<Column, number>>;
  width: number;
  /** Columns we do not know, kept out of the import and named in the report. */
  ignored: string[];
}

/** Reads the header line; without an `email` column there is nothing to import. */
export function parseSubscriberCsvHeader(cells: readonly string[]): CsvHeader {
  const index: CsvHeader['index'] = {};
  const ignored: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    if (!(SUBSCRIBER_CSV_COLUMNS as readonly string[]).includes(name)) {
      ignored.push(raw);
      return;
    }
    const column = name as Column;
    if (index[column] !== undefined) throw errors.badRequest(`CSV: the column "${column}" appears twice.`);
    index[column] = i;
  });
  if (index.email === undefined) {
    throw errors.badRequest(
      `CSV: the first line must name the columns, with at least "email" (known: ${SUBSCRIBER_CSV_COLUMNS.join(', ')}).`,
    );
  }
  return { index, width: cells.length, ignored };
}

/** One valid row of an import. A property is undefined when its column is absent or, for some, its cell empty. */
export interface SubscriberImportRow {
  row: number;
  email: EmailAddress;
  status?: SubscriberStatus;
  topics?: string[];
  keywords?: string[];
  maxPapers?: number;
  topWhenNoMatch?: boolean;
  createdAt?: Date;
  confirmedAt?: Date;
  unsubscribedAt?: Date;
  /** The delivery settings the row sets (only those its columns give). */
  delivery: ImportDelivery;
}

export type ParsedImportRow = { ok: true; value: SubscriberImportRow } | { ok: false; email: string; reason: string };

export interface TopicRef {
  id: number;
  retired: boolean;
}

/** Checks one record against the header and the topic catalog; a refusal says what is wrong, for the report. */
export function parseSubscriberCsvRow(
  cells: readonly string[],
  row: number,
  header: CsvHeader,
  topics: ReadonlyMap<string, TopicRef>,
): ParsedImportRow {
  const cell = (column: Column): string | undefined => {
    const i = header.index[column];
    return i === undefined ? undefined : unguardCsvCell(cells[i] ?? '').trim();
  };
  const rawEmail = cell('email') ?? '';
  const refuse = (reason: string): ParsedImportRow => ({ ok: false, email: rawEmail.slice(0, 254), reason });
  if (cells.length !== header.width) {
    return refuse(`it has ${cells.length} fields where the header has ${header.width}`);
  }
  // NUL is never text, not even in a column the import ignores (and Postgres refuses it). Other characters that
  // plain text may not hold are refused by each column's own rules: the email and keyword policies, the status
  // names, numbers, dates and topic slugs.
  const nul = cells.findIndex((c) => c.includes('\0'));
  if (nul !== -1) return refuse(`column ${nul + 1} holds a NUL character (U+0000)`);

  let email: EmailAddress;
  try {
    email = parseEmailAddress(rawEmail);
  } catch (err) {
    if (isPapermailError(err)) return refuse(err.message);
    throw err;
  }
  const value: SubscriberImportRow = { row, email, delivery: {} };

  const status = cell('status');
  if (status) {
    if (!STATUSES.includes(status as SubscriberStatus)) {
      return refuse(`unknown status "${status}" (one of ${STATUSES.join(', ')})`);
    }
    value.status = status as SubscriberStatus;
  }

  const topicCell = cell('topics');
  if (topicCell !== undefined) {
    const slugs = [...new Set(topicCell.split(/[\s;,]+/).filter(Boolean))];
    for (const slug of slugs) {
      const topic = topics.get(slug);
      if (!topic) return refuse(`unknown topic "${slug}"`);
      if (topic.retired) return refuse(`the topic "${slug}" is retired`);
    }
    value.topics = slugs;
  }

  const keywordCell = cell('keywords');
  if (keywordCell !== undefined) {
    const checked = checkKeywords(keywordCell.split(KEYWORD_SEPARATOR));
    if (!checked.ok) return refuse(checked.reason);
    value.keywords = checked.keywords;
  }

  const maxPapers = cell('max_papers');
  if (maxPapers) {
    const n = Number(maxPapers);
    if (!/^\d+$/.test(maxPapers) || n < 1 || n > 30) {
      return refuse(`max_papers must be a whole number from 1 to 30 (got "${maxPapers}")`);
    }
    value.maxPapers = n;
  }

  const top = cell('top_when_no_match')?.toLowerCase();
  if (top) {
    if (['true', 'yes', '1'].includes(top)) value.topWhenNoMatch = true;
    else if (['false', 'no', '0'].includes(top)) value.topWhenNoMatch = false;
    else return refuse(`top_when_no_match must be true or false (got "${top}")`);
  }

  for (const [column, key] of [
    ['created_at', 'createdAt'],
    ['confirmed_at', 'confirmedAt'],
    ['unsubscribed_at', 'unsubscribedAt'],
  ] as const) {
    const text = cell(column);
    if (!text) continue;
    const date = parseTimestamp(text);
    if (!date) return refuse(`${column} is not a date and time like 2026-07-01T07:00:00Z (got "${text}")`);
    value[key] = date;
  }

  const delivery = parseDeliveryCells(cell);
  if (!delivery.ok) return refuse(delivery.reason);
  value.delivery = delivery.delivery;
  return { ok: true, value };
}

/** ISO 8601 dates or date-times; a time without a zone is taken as UTC, so imports do not depend on the server. */
function parseTimestamp(text: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  if (!m) return undefined;
  try {
    parseDay(m[1]!); // refuses 2026-02-31, which Date would roll over into March
  } catch {
    return undefined;
  }
  const zone = (m[3] ?? 'Z').toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(m[2] ? `${m[1]}T${m[2]}${zone}` : `${m[1]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
