// What the forms on token pages share: where they post, how their CSRF value is bound and read, and the schema of
// the fields that more than one form has.
import { Type } from '@sinclair/typebox';
import { CSRF_FIELD } from '../../pages/csrf-token.js';
import { PlainText } from '../plain-text-schema.js';

/** The forms of a reader's token pages (preferences and unsubscribe) that need a CSRF value. */
export type ReaderForm = 'save' | 'pause' | 'resume' | 'resubscribe' | 'undoFeedback' | 'replaceFeed';

/** The CSRF binding of one form of one reader: a value made for one form is refused by every other. */
export const formBinding = (form: ReaderForm, token: string) => `${form}:${token}`;

/** The CSRF values of every form on a reader's page. */
export function formCsrfValues(issue: (binding: string) => string, token: string): Record<ReaderForm, string> {
  return {
    save: issue(formBinding('save', token)),
    pause: issue(formBinding('pause', token)),
    resume: issue(formBinding('resume', token)),
    resubscribe: issue(formBinding('resubscribe', token)),
    undoFeedback: issue(formBinding('undoFeedback', token)),
    replaceFeed: issue(formBinding('replaceFeed', token)),
  };
}

/** Checked topic boxes: one value arrives as a string, several as an array. */
export const TopicsField = Type.Union([
  Type.Array(PlainText({ maxLength: 200 }), { maxItems: 100 }),
  PlainText({ maxLength: 200 }),
]);

/** The CSRF value of a form body of any shape (a missing body is a missing value: 403, not 400). */
export function csrfOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
}

/** The form actions of a reader's pages. */
export function readerActions(token: string) {
  const t = encodeURIComponent(token);
  return {
    save: `/preferences/${t}`,
    pause: `/preferences/${t}/pause`,
    resume: `/preferences/${t}/resume`,
    preferences: `/preferences/${t}`,
    unsubscribe: `/unsubscribe/${t}`,
    resubscribe: `/unsubscribe/${t}/resubscribe`,
    undoFeedback: `/preferences/${t}/feedback/undo`,
    replaceFeed: `/preferences/${t}/feed`,
  };
}

/** The text values of a form field that may come once (a string), several times (an array) or not at all. */
export function asList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string');
}
