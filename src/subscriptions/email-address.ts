// The one policy for email addresses papermail accepts. Documented in the README ("Email addresses").
//  - Surrounding white space is trimmed. Anything else that is not a plain address is refused, with the reason:
//    line breaks and control characters (header injection), display names and angle brackets, several addresses,
//    quoted or non-ASCII local parts (we do not speak SMTPUTF8), over-long parts.
//  - The local part is a dot-atom (RFC 5322 atext, no leading, trailing or double dots), at most 64 octets.
//  - The domain is lower-cased and IDN domains are converted to punycode; it needs a dot and valid labels.
//  - The whole address is at most 254 octets.
//  - Identity ignores case: Ada@Example.org and ada@example.org are one reader (the key is the lower-cased address),
//    while mail goes to the local part as it was typed.
import { domainToASCII } from 'node:url';
import { errors } from '../errors.js';

export interface EmailAddress {
  /** What mail is sent to. */
  address: string;
  /** What identifies the reader. */
  key: string;
}

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function refuse(reason: string): never {
  throw errors.invalidEmail(`This email address cannot be used: ${reason}.`);
}

/** Normalises an address typed by a person, or throws a 400 error that says why it cannot be used. */
export function parseEmailAddress(input: unknown): EmailAddress {
  if (typeof input !== 'string') refuse('it must be text');
  const text = input.trim();
  if (text === '') refuse('it is empty');
  if (/[\r\n]/.test(text)) refuse('it contains a line break');
  if (/[\u0000-\u001f\u007f]/.test(text)) refuse('it contains control characters');
  if (/[<>]/.test(text)) refuse('give the bare address, without a name or angle brackets');
  if (/[,;]/.test(text)) refuse('give one address only');
  if (/\s/.test(text)) refuse('it contains spaces');
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) refuse('it needs a name, an @ and a domain, like ada@example.org');
  if (text.indexOf('@') !== at) refuse('it contains more than one @');
  const local = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  if (local.startsWith('"')) refuse('quoted local parts are not supported');
  if (/[^\u0000-\u007f]/.test(local)) refuse('the part before the @ must be plain ASCII');
  if (Buffer.byteLength(local) > 64) refuse('the part before the @ is longer than 64 characters');
  const atoms = local.split('.');
  if (atoms.some((a) => a === '')) refuse('dots cannot start or end the part before the @, or follow each other');
  if (!atoms.every((a) => ATEXT.test(a))) refuse('the part before the @ contains characters that are not allowed');

  const domain = domainToASCII(rawDomain.toLowerCase().replace(/\.$/, ''));
  if (domain === '') refuse('the domain is not valid');
  const labels = domain.split('.');
  if (labels.length < 2) refuse('the domain needs a dot, like example.org');
  if (!labels.every((l) => LABEL.test(l))) refuse('the domain is not valid');
  if (/^\d+$/.test(labels[labels.length - 1]!)) refuse('the domain is not valid');

  const address = `${local}@${domain}`;
  if (Buffer.byteLength(address) > 254) refuse('it is longer than 254 characters');
  return { address, key: address.toLowerCase() };
}
