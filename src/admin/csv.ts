// CSV as RFC 4180 writes it, read with csv-parse and written with csv-stringify: comma-separated fields, records
// ended by CRLF (LF and lone CR are accepted on input), fields that hold a comma, a quote or a line break are quoted
// and their quotes doubled. Spreadsheets run cells that start with = + - @ (and tab or CR) as formulas ("CSV
// injection"). A spreadsheet whose list separator is ";" (de, fr, nl, es, …) cuts cells at every ";" too, so the
// guard applies to each ";"-separated part of a cell: such a part gets a leading single quote, and that quote is
// taken off again when the file is read back, so an export imports back exactly.
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { errors } from '../errors.js';

/** Text a spreadsheet would run as a formula: it starts with one of these, perhaps after quotes we added. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** A part that carries our guard: one quote more than its formula-looking text. */
const GUARDED = /^'+[=+\-@\t\r]/;

/** Applies `change` to each ";"-separated part of `value`, after the part's leading spaces. */
function eachPart(value: string, change: (text: string) => string): string {
  if (!value.includes(';')) return change(value);
  return value
    .split(';')
    .map((part) => {
      const spaces = part.length - part.replace(/^ +/, '').length;
      return part.slice(0, spaces) + change(part.slice(spaces));
    })
    .join(';');
}

/** One cell as written: each formula-looking part gets one more leading quote, so that reading it back is exact. */
export function guardCsvCell(value: string): string {
  return eachPart(value, (text) => (FORMULA_START.test(text) ? `'${text}` : text));
}

/** Undoes the formula guard of `guardCsvCell` on a cell that was read. */
export function unguardCsvCell(value: string): string {
  return eachPart(value, (text) => (GUARDED.test(text) ? text.slice(1) : text));
}

/** Records as CSV text: CRLF after every record, as RFC 4180 asks, every cell guarded. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return stringify(
    records.map((record) => record.map(guardCsvCell)),
    // csv-stringify quotes a field with a comma or a quote; a lone CR or LF must be quoted too, since we read both.
    { record_delimiter: '\r\n', quoted_match: /[\r\n]/ },
  );
}

/**
 * Parses CSV text into records of cells, as written (quotes removed, doubled quotes undone, the formula guard kept).
 * Blank lines are skipped and a byte-order mark is ignored; records may differ in length (the caller reports it).
 * Malformed quoting is refused with a 400 error naming the row, rather than guessed at: a wrong guess would import
 * the wrong readers. Rows count records from 1, as a spreadsheet does when no cell holds a line break.
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw errors.badRequest(describeCsvError(err));
  }
}

function describeCsvError(err: CsvError): string {
  const row = Number(err.records) + 1;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `CSV: the quoted field in row ${row} never ends; a closing quote is missing.`;
    case 'INVALID_OPENING_QUOTE':
      return `CSV: row ${row} has a quote inside an unquoted field; quote the whole field.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `CSV: row ${row} has text after a closing quote; double quotes inside a field.`;
    default:
      return `CSV: row ${row} cannot be read (${err.message}).`;
  }
}
