// What every admin route shares: the OpenAPI security marker, the error shape, paging, and who the actor is.
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

/** Marks a route as needing the admin bearer token in the OpenAPI document. */
export const adminSecurity = [{ admin: [] }];

export const ErrorSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});

export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  404: ErrorSchema,
};

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'How many to return.' }),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'How many to skip.' }),
});

/** The audit log's "who": there is one admin token, so the address the request came from tells admins apart. */
export function actorOf(request: FastifyRequest): string {
  return `admin-api ${request.ip}`;
}
