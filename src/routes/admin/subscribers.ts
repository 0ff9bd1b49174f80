// Readers, for the admin: list with filters, CSV export and import, erase.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { formatDay } from '../../dates.js';
import type { Services } from '../../services.js';
import { MAX_INT, PlainText } from '../plain-text-schema.js';
import { SubscriberStatusSchema as StatusSchema } from '../subscriber-status-schema.js';
import { actorOf, adminSecurity, errorResponses, Nullable, PageQuerySchema, STRICT } from './common.js';

const FilterSchema = Type.Object(
  {
    status: Type.Optional(StatusSchema),
    topic: Type.Optional(PlainText({ maxLength: 60, description: 'A topic slug: readers who chose it.' })),
    email: Type.Optional(PlainText({ maxLength: 254, description: 'Part of the address, any case.' })),
  },
  STRICT,
);

const SubscriberSchema = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  status: StatusSchema,
  topics: Type.Array(Type.String()),
  keywords: Type.Array(Type.String()),
  maxPapers: Type.Integer(),
  topWhenNoMatch: Type.Boolean(),
  createdAt: Type.String(),
  confirmedAt: Nullable(Type.String()),
  unsubscribedAt: Nullable(Type.String()),
  erasedAt: Nullable(Type.String()),
});

const ImportReportSchema = Type.Object({
  mode: Type.String(),
  rows: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer(),
  ignoredColumns: Type.Array(Type.String()),
  report: Type.Array(
    Type.Object({
      row: Type.Integer(),
      email: Type.String(),
      outcome: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('skipped')]),
      reason: Type.Optional(Type.String()),
      id: Type.Optional(Type.Integer()),
      status: Type.Optional(Type.String()),
      confirmation: Type.Optional(Type.Union([Type.Literal('sent'), Type.Literal('failed')])),
    }),
  ),
});

/** CSV files up to this size are accepted by the import (about 200 000 readers). */
const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;

export const subscriberRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = services.admin.subscribers;
  const common = { tags: ['admin'], security: adminSecurity };

  app.get(
    '/subscribers',
    {
      schema: {
        ...common,
        summary: 'Readers, oldest first, filtered by status, topic or part of the address',
        querystring: Type.Composite([FilterSchema, PageQuerySchema], STRICT),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
            subscribers: Type.Array(SubscriberSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset, status, topic, email } = request.query;
      const page = await admin.list({ status, topic, email }, { limit, offset });
      return { ...page, limit, offset };
    },
  );

  app.get(
    '/subscribers.csv',
    {
      schema: {
        ...common,
        summary: 'The readers as CSV (same filters as the list; erased readers are left out)',
        querystring: FilterSchema,
        produces: ['text/csv'],
        // The CSV is streamed from the batches it was built in (export-subscribers.ts): a file download to OpenAPI.
        response: {
          200: { content: { 'text/csv': { schema: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }) } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { csv } = await admin.exportCsv(actorOf(request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="papermail-readers-${formatDay(new Date())}.csv"`)
        .header('content-length', csv.bytes)
        .send(Readable.from(csv.chunks));
    },
  );

  app.post(
    '/subscribers/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        ...common,
        summary: 'Import readers from CSV, with a report line per row',
        description:
          'mode=confirmed: the readers opted in elsewhere and are active at once. mode=pending: each new reader ' +
          'gets a confirmation email. An import never re-subscribes a reader who left.',
        consumes: ['text/csv'],
        querystring: Type.Object({ mode: Type.Union([Type.Literal('confirmed'), Type.Literal('pending')]) }, STRICT),
        body: Type.String({ description: 'CSV with a header line; see the README, "CSV format".' }),
        response: { 200: ImportReportSchema, ...errorResponses },
      },
    },
    async (request) => admin.importCsv(actorOf(request), request.body, request.query.mode),
  );

  app.delete(
    '/subscribers/:id',
    {
      schema: {
        ...common,
        summary: "Erase a reader's personal data; delivery history stays, anonymised",
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_INT }) }),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            erasedAt: Type.String(),
            deliveries: Type.Integer(),
            alreadyErased: Type.Boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.erase(actorOf(request), request.params.id),
  );
};
