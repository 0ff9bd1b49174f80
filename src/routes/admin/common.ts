// What every admin route shares: the OpenAPI security marker, the error shape, paging, and who the actor is.
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ErrorSchema } from '../error-schema.js';
import { MAX_INT } from '../plain-text-schema.js';

export { ErrorSchema };

/** Marks a route as needing the admin bearer token in the OpenAPI document. */
export const adminSecurity = [{ admin: [] }];

export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
};

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'How many to return.' }),
  offset: Type.Integer({ minimum: 0, maximum: MAX_INT, default: 0, description: 'How many to skip.' }),
});

/** Request schemas refuse fields they do not know: a misspelt filter must not quietly list everyone. */
export const STRICT = { additionalProperties: false } as const;

/** The audit log's "who": there is one admin token, so the address the request came from tells admins apart. */
export function actorOf(request: FastifyRequest): string {
  return `admin-api ${request.ip}`;
}
