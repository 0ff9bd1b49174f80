// CSV as RFC 4180 writes it, read and written by hand (no dependency): comma-separated fields, records ended by CRLF
// (LF and lone CR are accepted on input), fields that hold a comma, a quote or a line break are quoted and their
// quotes doubled. Spreadsheets run cells that start with = + - @ (and tab or CR) as formulas ("CSV injection"), so
// such cells are written with a leading single quote, and that quote is taken off again when the file is read back.
import { errors } from '../errors.js';

/** Cells a spreadsheet would run as a formula: they start with one of these, perhaps after quotes we added. */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** One cell as written: formula-looking text gets one more leading quote, so that reading it back is exact. */
export function formatCsvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Records as CSV text: CRLF after every record, as RFC 4180 asks. */
export function formatCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(formatCsvCell).join(',')}\r\n`).join('');
}

/** Undoes the formula guard of `formatCsvCell` on a cell that was read. */
export function unguardCsvCell(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export interface CsvRecord {
  /** The cells, as written (quotes removed, doubled quotes undone, the formula guard kept). */
  cells: string[];
  /** The line of the file the record starts on, counting from 1. */
  line: number;
}

/**
 * Parses CSV text into records. Blank lines are skipped and a byte-order mark is ignored. Malformed quoting is
 * refused with a 400 error naming the line, rather than guessed at: a wrong guess would import the wrong readers.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = input.length;
  const countBreaks = (from: number, to: number) => (input.slice(from, to).match(/\r\n|\r|\n/g) ?? []).length;
  let line = 1;
  let i = 0;

  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    // One record: cells until an unquoted line break or the end of the input. Cells are cut with slice, not built
    // a character at a time: a 100 000-row file must parse in well under a second.
    for (;;) {
      if (input[i] === '"') {
        const quoteLine = line;
        let cell = '';
        let from = i + 1;
        for (;;) {
          const quote = input.indexOf('"', from);
          if (quote === -1)
            throw errors.badRequest(`CSV: the quoted field that starts on line ${quoteLine} never ends.`);
          cell += input.slice(from, quote);
          if (input[quote + 1] === '"') {
            cell += '"';
            from = quote + 2;
            continue;
          }
          line += countBreaks(i, quote);
          i = quote + 1;
          break;
        }
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw errors.badRequest(`CSV: line ${line} has text after a closing quote; double quotes inside a field.`);
        }
        cells.push(cell);
      } else {
        let end = i;
        while (end < n) {
          const c = input.charCodeAt(end);
          if (c === 44 /* , */ || c === 13 /* CR */ || c === 10 /* LF */) break;
          if (c === 34 /* " */) {
            throw errors.badRequest(`CSV: line ${line} has a quote inside an unquoted field; quote the whole field.`);
          }
          end++;
        }
        cells.push(input.slice(i, end));
        i = end;
      }
      if (input[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // The record ends at CRLF, LF, CR or the end of the input.
    if (input[i] === '\r') i++;
    if (input[i] === '\n') i++;
    line++;
    const blank = cells.length === 1 && cells[0] === '';
    if (!blank) records.push({ cells, line: startLine });
  }
  return records;
}
