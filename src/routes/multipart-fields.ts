// The text fields of a small multipart/form-data body. RFC 8058 lets a mail client send its one-click unsubscribe
// POST as multipart, and that body is one short field: a full multipart library would be a lot of code for it.
// Files are ignored; the first value of a repeated name wins.
import { errors } from '../errors.js';

/** Parses `body` (the raw request body) as multipart/form-data with the boundary named in `contentType`. */
export function parseMultipartFields(body: string, contentType: string): Record<string, string> {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw errors.badRequest('A multipart/form-data body needs a boundary in its Content-Type.');
  const fields: Record<string, string> = Object.create(null);
  const parts = body.split(`--${boundary}`);
  // parts[0] is the preamble; a part starting with "--" is the closing delimiter.
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const content = part.replace(/^[ \t]*\r?\n/, '');
    const gap = /\r?\n\r?\n/.exec(content);
    if (!gap) continue;
    const head = content.slice(0, gap.index);
    const value = content.slice(gap.index + gap[0].length).replace(/\r?\n$/, '');
    const disposition = /^content-disposition:[ \t]*form-data(.*)$/im.exec(head)?.[1] ?? '';
    if (/;\s*filename\*?=/i.test(disposition)) continue;
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^\s;]+)/i.exec(disposition)?.[1];
    if (name === undefined || Object.hasOwn(fields, name)) continue;
    fields[name] = value;
  }
  return fields;
}
