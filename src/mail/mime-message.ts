// Builds a whole message (headers and a text + HTML multipart/alternative body) as one Buffer, ready for the wire.
// Nodemailer's MIME tree is general and streaming, and costs more per message than sending it does (measured: about
// 1.1 ms of CPU for a 30 KB HTML part): for bulk mail papermail builds the bytes itself and hands them to the pooled
// transport as `raw` (which still DKIM-signs them). Bodies go as 7bit when they are ASCII with short lines (the
// digest HTML is made so), otherwise as quoted-printable, which stays close to the original size for mostly-ASCII
// text.
import { randomBytes } from 'node:crypto';
import type { OutgoingMessage } from './mailer.js';

export interface MimeOptions {
  /** The From header, e.g. `papermail <digest@example.org>`. */
  from: string;
  /** '\r\n' on the wire (default); '\n' for .eml files on disk. */
  newline?: '\r\n' | '\n';
  date?: Date;
}

// "=_" can never appear in quoted-printable output (RFC 2045 6.7: "=" is always followed by two hex digits), so no
// body text, whatever a paper or a keyword holds, can make a quoted-printable line that closes a part.
const boundaryPrefix = `pm=_${randomBytes(6).toString('hex')}_`;
let boundaryCount = 0;

export function buildMimeMessage(message: OutgoingMessage, options: MimeOptions): Buffer {
  const nl = options.newline ?? '\r\n';
  const boundary = `${boundaryPrefix}${(boundaryCount++).toString(36)}`;
  const headers = [
    `From: ${encodeAddress(options.from)}`,
    `To: ${message.to}`,
    `Subject: ${encodeHeaderText(message.subject, nl)}`,
    `Date: ${rfc5322Date(options.date ?? new Date())}`,
    `Message-ID: ${message.messageId}`,
  ];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers.push(`${name}: ${encodeHeaderText(value, nl)}`);
  }
  headers.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`);
  const parts = [
    headers.join(nl),
    '',
    `--${boundary}`,
    ...bodyPart('text/plain', message.text, nl, boundary),
    `--${boundary}`,
    ...bodyPart('text/html', message.html, nl, boundary),
    `--${boundary}--`,
    '',
  ];
  // The bodies are ASCII by now (7bit or quoted-printable), and so is every encoded header: unless an address is
  // not (SMTPUTF8), each character is one byte, and latin1 copies them without UTF-8's encoder (a quarter of the
  // cost of building a digest message), each part straight into the message's bytes.
  return headers.every(isAscii) ? latin1Lines(parts, nl) : Buffer.from(parts.join(nl), 'utf8');
}

/** `lines.join(nl)` as latin1 bytes, without building the joined string first (a copy of the whole message). */
function latin1Lines(lines: string[], nl: string): Buffer {
  let size = nl.length * (lines.length - 1);
  for (const line of lines) size += line.length;
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0) at += bytes.write(nl, at, 'latin1');
    at += bytes.write(line, at, 'latin1');
  }
  return bytes;
}

const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

function bodyPart(type: string, content: string, nl: string, boundary: string): string[] {
  const lines = content.includes('\r') ? content.replace(/\r\n?/g, '\n') : content;
  if (isSevenBitSafe(lines, `--${boundary}`)) {
    return [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 7bit', '', lines.replaceAll('\n', nl)];
  }
  return [
    `Content-Type: ${type}; charset=utf-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encodeQuotedPrintable(lines, nl),
  ];
}

/**
 * ASCII only, no NUL, no line over 998 octets (RFC 5322), and no line that starts with the part's `delimiter`: may
 * go as it is. A body with such a line goes quoted-printable, which cannot hold one ("=" is always encoded).
 */
function isSevenBitSafe(text: string, delimiter: string): boolean {
  // ASCII exactly when UTF-8 takes one byte per UTF-16 unit (a native scan, faster than any regex).
  if (Buffer.byteLength(text, 'utf8') !== text.length || text.includes('\0')) return false;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start > 998) return false;
    // 45 is "-": a cheap test first, since it runs for every line of every message.
    if (text.charCodeAt(start) === 45 && text.startsWith(delimiter, start)) return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

const SAFE_RUN = /[\x21-\x3c\x3e-\x7e \t]+/y;
const encodedChars = new Map<string, string>();

/** =XX for each UTF-8 byte of one character (or of a control character, or "="). */
function encodeChar(char: string): string {
  let encoded = encodedChars.get(char);
  if (encoded === undefined) {
    encoded = [...Buffer.from(char, 'utf8')].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    if (encodedChars.size < 10_000) encodedChars.set(char, encoded);
  }
  return encoded;
}

/**
 * RFC 2045 quoted-printable of text whose line breaks are '\n'; encoded lines are soft-broken at 76 characters.
 * Runs of printable ASCII are copied in slices (the usual case); only other characters are encoded one by one.
 * (No closures in here: it runs for every message.)
 */
export function encodeQuotedPrintable(text: string, nl = '\r\n'): string {
  const out: string[] = [];
  let current = '';
  let i = 0;
  let lineEnd = text.indexOf('\n');
  if (lineEnd === -1) lineEnd = text.length;
  for (;;) {
    // Spaces and tabs at the end of a line would be lost in transit: they are encoded.
    let contentEnd = lineEnd;
    while (contentEnd > i && (text[contentEnd - 1] === ' ' || text[contentEnd - 1] === '\t')) contentEnd--;
    while (i < lineEnd) {
      let token: string;
      if (i < contentEnd) {
        SAFE_RUN.lastIndex = i;
        const run = SAFE_RUN.exec(text);
        if (run) {
          const runEnd = Math.min(i + run[0].length, contentEnd);
          while (i < runEnd) {
            if (current.length >= 75) {
              out.push(`${current}=`);
              current = '';
            }
            const take = Math.min(75 - current.length, runEnd - i);
            current += text.slice(i, i + take);
            i += take;
          }
          continue;
        }
        const char = String.fromCodePoint(text.codePointAt(i)!);
        i += char.length;
        token = encodeChar(char);
      } else {
        token = text[i] === ' ' ? '=20' : '=09';
        i++;
      }
      if (current.length + token.length > 75) {
        out.push(`${current}=`);
        current = '';
      }
      current += token;
    }
    out.push(current);
    current = '';
    if (lineEnd >= text.length) break;
    i = lineEnd + 1;
    lineEnd = text.indexOf('\n', i);
    if (lineEnd === -1) lineEnd = text.length;
  }
  return out.join(nl);
}

/** Header text: as it is when printable ASCII, else RFC 2047 encoded-words (UTF-8, base64) folded over lines. */
export function encodeHeaderText(value: string, nl = '\r\n'): string {
  const clean = value.replace(/[\r\n\t]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  let size = 0;
  for (const char of clean) {
    const bytes = Buffer.byteLength(char);
    // 45 bytes of UTF-8 are 60 characters of base64: each encoded-word stays under 75 characters.
    if (size + bytes > 45) {
      words.push(chunk);
      chunk = '';
      size = 0;
    }
    chunk += char;
    size += bytes;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${nl} `);
}

/** `Name <address>` with the name quoted or encoded as needed; a bare address stays bare. */
export function encodeAddress(value: string): string {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(value);
  if (!match) return value.trim();
  const [, name, address] = match;
  if (!name) return `<${address}>`;
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return `${name} <${address}>`;
  if (/^[\x20-\x7e]+$/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
  return `${encodeHeaderText(name)} <${address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** "Sat, 28 Nov 2026 22:30:19 +0000" */
export function rfc5322Date(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** The bare address of a From header value, for the SMTP envelope. */
export function envelopeAddress(value: string): string {
  return /<([^<>\s]+)>/.exec(value)?.[1] ?? value.trim();
}
