// The one string schema for text that comes from outside: every free-text body field, parameter and query string
// uses it, so a control character, NUL or bidirectional override is a 400 that names the field (see
// schema-error-message.ts) before any of it reaches Postgres, a page or a CSV file.
import { type StringOptions, Type } from '@sinclair/typebox';
import { PLAIN_LINES_PATTERN, PLAIN_TEXT_PATTERN } from '../plain-text.js';

/** Text on one line. */
export const PlainText = (options: StringOptions = {}) => Type.String({ ...options, pattern: PLAIN_TEXT_PATTERN });

/** Text that may hold line ends (a textarea), and nothing else plain text refuses. */
export const PlainLines = (options: StringOptions = {}) => Type.String({ ...options, pattern: PLAIN_LINES_PATTERN });

/** The largest id or offset a route takes: Postgres `integer` columns hold no more. */
export const MAX_INT = 2_147_483_647;
