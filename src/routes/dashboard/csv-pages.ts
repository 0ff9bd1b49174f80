// Import and export of readers as CSV: the admin API's services (same format, same report, same audit entries), with
// a file upload form and a download link.
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { formatDay } from '../../dates.js';
import { errors } from '../../errors.js';
import { SubscriberStatusSchema } from '../subscriber-status-schema.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';

/** As the API's import: about 200 000 readers. */
const IMPORT_LIMIT_BYTES = 32 * 1024 * 1024;
const STATUSES = ['pending', 'active', 'paused', 'unsubscribed', 'bounced', 'complained'];

export const csvPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page, checkPost }) => {
  const readers = services.admin.subscribers;
  // Fields arrive in the body as values, the file as a Buffer; one file, nothing larger than the API would take.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: IMPORT_LIMIT_BYTES, files: 1, fields: 10 },
  });

  app.get('/admin/csv', { schema: { hide: true } }, async (request, reply) =>
    page(request, reply, {
      name: 'csv',
      title: 'Import and export',
      section: '/admin/csv',
      data: {
        statuses: STATUSES,
        topics: (await services.admin.topics.list()).map((t) => ({ slug: t.slug, name: t.name })),
      },
    }),
  );

  app.get(
    '/admin/csv/readers.csv',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal(''), SubscriberStatusSchema])),
          topic: Type.Optional(Type.String({ maxLength: 60 })),
          email: Type.Optional(Type.String({ maxLength: 254 })),
        }),
      },
    },
    async (request, reply) => {
      const { status, topic, email } = request.query;
      const filter = { status: status || undefined, topic: topic || undefined, email: email || undefined };
      const { csv } = await readers.exportCsv(actorOfSession(request), filter);
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="papermail-readers-${formatDay(new Date())}.csv"`)
        .header('content-length', csv.bytes)
        .send(Readable.from(csv.chunks));
    },
  );

  app.post(
    '/admin/csv/import',
    {
      bodyLimit: IMPORT_LIMIT_BYTES + 64 * 1024,
      config: { multipart: true },
      // The multipart body exists only after the plugin's preValidation: the CSRF and role check come here.
      preHandler: async (request) => checkPost(request),
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const mode = body.mode;
      if (mode !== 'confirmed' && mode !== 'pending') {
        throw errors.badRequest('Choose how to import: "confirmed" (they opted in elsewhere) or "pending" (ask them).');
      }
      const file = body.file;
      const csv = Buffer.isBuffer(file) ? file.toString('utf8') : typeof file === 'string' ? file : '';
      if (csv.trim() === '') throw errors.badRequest('Choose a CSV file to import (it was missing or empty).');
      const report = await readers.importCsv(actorOfSession(request), csv, mode);
      return page(request, reply, {
        name: 'csv-report',
        title: 'Import report',
        section: '/admin/csv',
        data: { report },
      });
    },
  );
};
