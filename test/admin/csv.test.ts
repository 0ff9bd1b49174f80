import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCsv, guardCsvCell, parseCsv, unguardCsvCell } from '../../src/admin/csv.js';
import { isPapermailError } from '../../src/errors.js';

const cells = (text: string) => parseCsv(text);

function refusal(text: string): string {
  try {
    parseCsv(text);
  } catch (err) {
    assert.ok(isPapermailError(err));
    assert.equal(err.statusCode, 400);
    return err.message;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('CSV (RFC 4180)', () => {
  it('reads quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF, LF, lone CR and a BOM', () => {
    const text =
      '\uFEFFemail,keywords\r\n"ada@example.org","say ""hi"", then\r\nleave"\r\nbob@example.org,plain\nc@d.org,\rlast,x';
    assert.deepEqual(cells(text), [
      ['email', 'keywords'],
      ['ada@example.org', 'say "hi", then\r\nleave'],
      ['bob@example.org', 'plain'],
      ['c@d.org', ''],
      ['last', 'x'],
    ]);
  });

  it('skips blank lines, keeps empty fields, and needs no line break at the end', () => {
    assert.deepEqual(cells('a,b\r\n\r\n,\r\n"",x'), [
      ['a', 'b'],
      ['', ''],
      ['', 'x'],
    ]);
    assert.deepEqual(cells(''), []);
  });

  it('refuses malformed quoting, naming the row', () => {
    assert.match(refusal('email\nfine@example.org\n\n"ada@example.org\nmore\n'), /quoted field in row 3 never ends/);
    assert.match(refusal('email\nada"x@example.org\n'), /row 2 has a quote inside an unquoted field/);
    assert.match(refusal('a\r\n"x\r\ny"z\r\n'), /row 2 has text after a closing quote/);
  });

  it('writes CRLF records, quotes what needs quoting, and round-trips through the parser', () => {
    const records = [
      ['email', 'keywords'],
      ['ada@example.org', 'a, b; "c"'],
      ['multi', 'line\nbreak'],
      ['', ''],
    ];
    const text = formatCsv(records);
    assert.equal(text, 'email,keywords\r\nada@example.org,"a, b; ""c"""\r\nmulti,"line\nbreak"\r\n,\r\n');
    assert.deepEqual(cells(text), records);
    const lone = formatCsv([['cr\ronly', 'lf\nonly']]);
    assert.equal(lone, '"cr\ronly","lf\nonly"\r\n', 'a lone CR or LF is quoted: the reader takes both as line ends');
    assert.deepEqual(cells(lone), [['cr\ronly', 'lf\nonly']]);
  });

  it('guards cells a spreadsheet would run as formulas, and takes the guard off again when reading', () => {
    const risky = ['=HYPERLINK("http://evil.test")', '+1', '-2', '@SUM(A1)', '\tx', "'=already quoted", 'safe'];
    const text = formatCsv([risky]);
    assert.equal(text, `"'=HYPERLINK(""http://evil.test"")",'+1,'-2,'@SUM(A1),'\tx,''=already quoted,safe\r\n`);
    const [read] = cells(text);
    assert.deepEqual(read!.map(unguardCsvCell), risky, 'every cell reads back exactly');
    assert.equal(unguardCsvCell("'plain"), "'plain", 'a quote before harmless text is data, not a guard');
  });

  it('guards every ";"-separated part, as a spreadsheet with ";" as its list separator splits the cell', () => {
    const value = "ok;=cmd|' /C calc'!A0; +HYPERLINK;  -x;''@y;plain";
    const guarded = guardCsvCell(value);
    assert.equal(guarded, "ok;'=cmd|' /C calc'!A0; '+HYPERLINK;  '-x;'''@y;plain");
    for (const part of guarded.split(';')) assert.doesNotMatch(part.trimStart(), /^[=+\-@\t\r]/, part);
    assert.equal(unguardCsvCell(guarded), value, 'and it reads back exactly');
    const [read] = cells(formatCsv([[value]]));
    assert.deepEqual(read!.map(unguardCsvCell), [value]);
  });
});
