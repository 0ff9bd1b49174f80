// What a request that fails its route's schema is told: the field, and what is wrong with it in words. ajv's own
// message for the plain-text pattern would print the pattern, for an unknown field would not name it, and for a
// choice of values would not list them.
import type { FastifySchemaValidationError } from 'fastify';
import { findUnsafeCharacter, PLAIN_LINES_PATTERN, PLAIN_TEXT_PATTERN } from '../plain-text.js';

/** ajv's error with what `verbose: true` adds. */
type VerboseError = FastifySchemaValidationError & {
  data?: unknown;
  schema?: unknown;
  parentSchema?: { properties?: object };
};

/** The values of a union of literals (TypeBox's `Type.Union([Type.Literal(…), …])`), else undefined. */
function literalChoices(schema: unknown): unknown[] | undefined {
  if (!Array.isArray(schema) || schema.length === 0) return undefined;
  const values = schema.map((s) => (typeof s === 'object' && s !== null && 'const' in s ? s.const : undefined));
  return values.every((v) => v !== undefined) ? values : undefined;
}

function describe(e: VerboseError, dataVar: string): string | undefined {
  const field = `${dataVar}${e.instancePath}`;
  const pattern = (e.params as { pattern?: unknown }).pattern;
  if (e.keyword === 'pattern' && (pattern === PLAIN_TEXT_PATTERN || pattern === PLAIN_LINES_PATTERN)) {
    const unsafe =
      typeof e.data === 'string'
        ? findUnsafeCharacter(e.data, { lineEnds: pattern === PLAIN_LINES_PATTERN })
        : undefined;
    return unsafe ? `${field} cannot contain ${unsafe.kind} (${unsafe.codePoint}).` : `${field} must be plain text.`;
  }
  const choices = e.keyword === 'anyOf' ? literalChoices(e.schema) : undefined;
  if (choices) return `${field} must be one of ${choices.join(', ')} (got ${JSON.stringify(e.data)}).`;
  if (e.keyword === 'additionalProperties') {
    const name = (e.params as { additionalProperty?: unknown }).additionalProperty;
    const known = Object.keys(e.parentSchema?.properties ?? {});
    const list = known.length > 0 ? ` (known fields: ${known.join(', ')})` : '';
    return `${field} has an unknown field "${String(name)}"${list}.`;
  }
  return undefined;
}

/** Fastify's schemaErrorFormatter: the readable refusals first, else ajv's messages as Fastify joins them. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  for (const e of errors) {
    const message = describe(e as VerboseError, dataVar);
    if (message) return new Error(message);
  }
  return new Error(errors.map((e) => `${dataVar}${e.instancePath} ${e.message}`).join(', '));
}
