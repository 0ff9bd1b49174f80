// What the forms on token pages share: where they post, and how their CSRF value is bound and read.
import { CSRF_FIELD } from '../../pages/csrf-token.js';

/** The CSRF binding of every form on a reader's token pages (preferences and unsubscribe). */
export const readerBinding = (token: string) => `reader:${token}`;

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
  };
}

/** The text values of a form field that may come once (a string), several times (an array) or not at all. */
export function asList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string');
}
