// What papermail takes as text from outside: no C0 or C1 control characters (NUL among them, which Postgres refuses
// in text and jsonb), no Unicode line or paragraph separators, and no bidirectional embeddings, overrides or isolates
// (they make an admin page or CSV show text in an order other than the stored one). One definition, used by the
// HTTP schemas, the keyword policy and the CSV import.

/** The characters refused, as a regular-expression class body (also the source of the HTTP schemas' patterns). */
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f';
const SEPARATORS = '\\u2028\\u2029';
const BIDI = '\\u202a-\\u202e\\u2066-\\u2069';
/** The same without CR and LF, for fields that may hold several lines (a textarea). */
const CONTROLS_BUT_LINE_ENDS = '\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';

/** A whole string of plain text on one line, as a JSON-schema pattern. */
export const PLAIN_TEXT_PATTERN = `^[^${CONTROLS}${SEPARATORS}${BIDI}]*$`;
/** Plain text that may hold CR and LF line ends, as a JSON-schema pattern. */
export const PLAIN_LINES_PATTERN = `^[^${CONTROLS_BUT_LINE_ENDS}${SEPARATORS}${BIDI}]*$`;

const UNSAFE = new RegExp(`[${CONTROLS}${SEPARATORS}${BIDI}]`, 'u');
const UNSAFE_BUT_LINE_ENDS = new RegExp(`[${CONTROLS_BUT_LINE_ENDS}${SEPARATORS}${BIDI}]`, 'u');

export interface UnsafeCharacter {
  /** `U+0000`, for messages. */
  codePoint: string;
  /** What it is, in words: "a line break", "a control character" or "a bidirectional override". */
  kind: string;
}

/** The first character of `text` that plain text may not hold, or undefined when there is none. */
export function findUnsafeCharacter(text: string, options: { lineEnds?: boolean } = {}): UnsafeCharacter | undefined {
  const found = (options.lineEnds ? UNSAFE_BUT_LINE_ENDS : UNSAFE).exec(text)?.[0];
  if (found === undefined) return undefined;
  const code = found.codePointAt(0)!;
  const codePoint = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const lineBreak = code === 0x0a || code === 0x0d || code === 0x85 || code === 0x2028 || code === 0x2029;
  const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
  const kind = lineBreak ? 'a line break' : bidi ? 'a bidirectional override' : 'a control character';
  return { codePoint, kind };
}
