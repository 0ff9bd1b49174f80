// The delivery settings' columns of the readers CSV, both ways. Values are checked by the one settings parser
// (src/subscriptions/delivery-settings.ts), so an import refuses what the preferences API refuses. Lists are joined
// with "; " like keywords (both policies refuse ";" inside an entry, so the split on import is exact). An empty
// `timezone` or `hour` is the operator's (DIGEST_TIMEZONE, the hour of DIGEST_CRON), as the export writes it for a
// reader who never chose, so the reader keeps following the operator after a round trip.
import { isPapermailError } from '../errors.js';
import {
  type DeliverySettingsInput,
  parseSettingsChange,
  type StoredDeliverySettings,
} from '../subscriptions/delivery-settings.js';
import { KEYWORD_SEPARATOR } from '../subscriptions/keywords.js';

export const DELIVERY_CSV_COLUMNS = [
  'cadence',
  'weekday',
  'timezone',
  'hour',
  'channel',
  'exclude_keywords',
  'authors',
] as const;

export type DeliveryColumn = (typeof DELIVERY_CSV_COLUMNS)[number];

/** What an import row sets: undefined leaves a setting as it is (its column is absent, or its cell empty). */
export type ImportDelivery = Partial<StoredDeliverySettings>;

const FIELD_OF: Record<DeliveryColumn, keyof DeliverySettingsInput> = {
  cadence: 'cadence',
  weekday: 'weekday',
  timezone: 'timezone',
  hour: 'hour',
  channel: 'channel',
  exclude_keywords: 'excludeKeywords',
  authors: 'authors',
};
const LIST_COLUMNS: readonly DeliveryColumn[] = ['exclude_keywords', 'authors'];
/** Columns whose empty cell means "the operator's", not "leave it". */
const NULLABLE_COLUMNS: readonly DeliveryColumn[] = ['timezone', 'hour'];

/** The export's cells, in the order of DELIVERY_CSV_COLUMNS. */
export function deliveryCsvCells(d: StoredDeliverySettings): string[] {
  return [
    d.cadence,
    String(d.weekday),
    d.timezone ?? '',
    d.hour === null ? '' : String(d.hour),
    d.channel,
    d.excludeKeywords.join(`${KEYWORD_SEPARATOR} `),
    d.authors.join(`${KEYWORD_SEPARATOR} `),
  ];
}

/**
 * Reads the delivery cells of one row (`cell` gives a column's unguarded, trimmed text, undefined when the file
 * has no such column). A refusal names the column, for the import report.
 */
export function parseDeliveryCells(
  cell: (column: DeliveryColumn) => string | undefined,
): { ok: true; delivery: ImportDelivery } | { ok: false; reason: string } {
  const delivery: ImportDelivery = {};
  for (const column of DELIVERY_CSV_COLUMNS) {
    const text = cell(column);
    if (text === undefined) continue;
    const field = FIELD_OF[column];
    if (text === '' && NULLABLE_COLUMNS.includes(column)) {
      Object.assign(delivery, { [field]: null });
      continue;
    }
    if (text === '' && !LIST_COLUMNS.includes(column)) continue;
    const value = LIST_COLUMNS.includes(column) ? text.split(KEYWORD_SEPARATOR) : text;
    try {
      Object.assign(delivery, parseSettingsChange({ [field]: value }));
    } catch (err) {
      if (!isPapermailError(err)) throw err;
      // The parser's messages start with the API's field name; the report speaks of the file's column.
      const message = err.message.startsWith(field) ? column + err.message.slice(field.length) : err.message;
      return { ok: false, reason: message.replace(/\.$/, '') };
    }
  }
  return { ok: true, delivery };
}
