// Days, runs and deliveries for the admin: resend, run a day now, ingest, look at each day, preview a reader's digest.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../../errors.js';
import type { Services } from '../../services.js';
import { PlainText } from '../plain-text-schema.js';
import { actorOf, adminSecurity, ErrorSchema, errorResponses, Nullable, PageQuerySchema, STRICT } from './common.js';

const DateParams = Type.Object({ date: PlainText({ maxLength: 10, description: 'YYYY-MM-DD' }) });
const EmailQuery = Type.Object(
  { email: PlainText({ minLength: 1, maxLength: 254, description: "The reader's address" }) },
  STRICT,
);
const Source = Type.Union([Type.Literal('huggingface'), Type.Literal('arxiv')], {
  description: 'Where to fetch the day from (file: sources are for the command line only).',
});

const CountsSchema = Type.Object({
  pending: Type.Integer(),
  sending: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  total: Type.Integer(),
  resends: Type.Integer({ description: 'Of the total, how many are resends.' }),
});

const RunSchema = Type.Object({
  id: Type.Integer(),
  trigger: Type.String(),
  status: Type.Union(
    [
      Type.Literal('running'),
      Type.Literal('done'),
      Type.Literal('incomplete'),
      Type.Literal('failed'),
      Type.Literal('abandoned'),
    ],
    { description: 'abandoned: it was running when its process died (no heartbeat for RUN_STALE_MS)' },
  ),
  startedAt: Type.String(),
  heartbeatAt: Type.String({ description: 'The last sign of life of the process running it.' }),
  finishedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
  timings: Nullable(Type.Record(Type.String(), Type.Number())),
});

const DaySchema = {
  date: Type.String(),
  digest: Nullable(
    Type.Object({
      id: Type.Integer(),
      status: Type.String(),
      createdAt: Type.String(),
      matchedAt: Nullable(Type.String()),
      finishedAt: Nullable(Type.String()),
    }),
  ),
  papers: Type.Integer({ description: 'Papers listed that day.' }),
  counts: CountsSchema,
};

const ResendReportSchema = Type.Object({
  date: Type.String(),
  digestId: Type.Integer(),
  queued: Type.Array(
    Type.Object({
      deliveryId: Type.Integer(),
      resendOf: Type.Integer(),
      subscriberId: Type.Integer(),
      email: Type.String(),
    }),
  ),
  unknown: Type.Array(Type.Object({ email: Type.String(), reason: Type.String() })),
  skipped: Type.Array(
    Type.Object({
      email: Type.String(),
      subscriberId: Type.Integer(),
      deliveryId: Type.Integer(),
      code: Type.String(),
      reason: Type.String(),
      status: Type.Optional(Type.String()),
    }),
  ),
  replayed: Type.Boolean(),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const digestAdminRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const admin = services.admin.digests;
  const common = { tags: ['admin'], security: adminSecurity };

  app.get(
    '/digests',
    {
      schema: {
        ...common,
        summary: 'Every day with a digest or a run, newest first: deliveries by status and the latest run',
        querystring: Type.Composite([PageQuerySchema], STRICT),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
            days: Type.Array(Type.Object({ ...DaySchema, runs: Type.Integer(), lastRun: Nullable(RunSchema) })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      return { ...(await admin.listDays({ limit, offset })), limit, offset };
    },
  );

  app.get(
    '/digests/:date',
    {
      schema: {
        ...common,
        summary: 'One day: deliveries by status, every run, and the failed deliveries with their last error',
        params: DateParams,
        response: {
          200: Type.Object({
            ...DaySchema,
            runs: Type.Array(RunSchema),
            failed: Type.Array(
              Type.Object({
                id: Type.Integer(),
                subscriberId: Type.Integer(),
                email: Type.String(),
                resendOf: Nullable(Type.Integer()),
                attempts: Type.Integer(),
                lastError: Nullable(Type.String()),
                updatedAt: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.day(request.params.date),
  );

  app.get(
    '/digests/:date/deliveries',
    {
      schema: {
        ...common,
        summary: "One reader's deliveries of the day: the original and any resends",
        params: DateParams,
        querystring: EmailQuery,
        response: {
          200: Type.Object({
            subscriberId: Type.Integer(),
            email: Type.String(),
            status: Type.String(),
            deliveries: Type.Array(
              Type.Object({
                id: Type.Integer(),
                resendOf: Nullable(Type.Integer()),
                status: Type.String(),
                attempts: Type.Integer(),
                lastError: Nullable(Type.String()),
                messageId: Nullable(Type.String()),
                paperIds: Type.Array(Type.String()),
                createdAt: Type.String(),
                claimedAt: Nullable(Type.String()),
                sentAt: Nullable(Type.String()),
                nextAttemptAt: Type.String(),
                dueAt: Type.String({ description: "the reader's local hour after the digest was prepared" }),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => admin.deliveries(request.params.date, request.query.email),
  );

  app.get(
    '/digests/:date/preview',
    {
      schema: {
        ...common,
        summary: 'The HTML digest the reader got that day (re-rendered from the delivery), or would get (matched now)',
        description:
          'X-Papermail-Preview says which: `delivered; delivery=ID; status=STATUS` or `would-get` (nothing written).',
        params: DateParams,
        querystring: EmailQuery,
        produces: ['text/html'],
        response: { 200: { content: { 'text/html': { schema: Type.String() } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const preview = await admin.preview(actorOf(request), request.params.date, request.query.email);
      const label =
        preview.kind === 'delivered'
          ? `delivered; delivery=${preview.deliveryId}; status=${preview.deliveryStatus}`
          : 'would-get';
      return reply.type('text/html; charset=utf-8').header('x-papermail-preview', label).send(preview.html);
    },
  );

  app.post(
    '/digests/:date/resend',
    {
      schema: {
        ...common,
        summary: "Resend the day's digest to some readers, or to every reader whose delivery failed",
        description:
          'Give `emails` (these readers, even if their delivery was sent) or `failed: true`. Each resend is a new ' +
          "delivery with the original's papers, to the reader's current address, with a fresh Message-ID; they are " +
          'sent right after the answer. An `Idempotency-Key` header makes a retry return the first answer ' +
          '(`replayed: true`) and queue nothing; the same key with another body is refused (422). Without a key, ' +
          'a delivery with a resend queued, or resent in the last 10 minutes, is skipped with the reason.',
        params: DateParams,
        body: Type.Object(
          {
            // Not plain-text checked: each bad address is reported back as unknown, with the email policy's reason.
            emails: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 1000 })),
            failed: Type.Optional(Type.Boolean()),
          },
          STRICT,
        ),
        response: { 202: ResendReportSchema, ...errorResponses, 422: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { emails, failed } = request.body;
      if ((emails === undefined) === (failed !== true)) {
        throw errors.badRequest('Give either "emails": [...] or "failed": true (one of them, not both).');
      }
      const key = request.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw errors.badRequest('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.');
      }
      const target = emails !== undefined ? { emails } : { failed: true as const };
      const report = await admin.resend(actorOf(request), request.params.date, target, { idempotencyKey: key });
      // Sent after the answer; a replayed answer's resends are picked up again only if still pending.
      admin.sendQueuedInBackground(report);
      return reply.code(202).send(report);
    },
  );

  app.post(
    '/digests/:date/run',
    {
      schema: {
        ...common,
        summary: 'Ingest, match and send the day now, in the background; answers 202 with the run id',
        description:
          'Safe to call twice: a day is never sent twice to a reader, and while a run of the day is going (on any ' +
          "instance, the schedule's too), calling again returns its id (`alreadyRunning: true`). Follow it with " +
          'GET /api/admin/digests/:date.',
        params: DateParams,
        body: Type.Optional(
          Type.Object(
            {
              source: Type.Optional(Source),
              ingest: Type.Optional(Type.Boolean({ description: 'Fetch the day first (default true).' })),
            },
            STRICT,
          ),
        ),
        response: {
          202: Type.Object({ runId: Type.Integer(), date: Type.String(), alreadyRunning: Type.Boolean() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const started = await admin.startRun(actorOf(request), request.params.date, request.body ?? {});
      return reply.code(202).send(started);
    },
  );

  app.post(
    '/ingest',
    {
      // A source that failed is the answer the operator asked for: its 502/503 keeps the message.
      config: { showServerErrors: true },
      schema: {
        ...common,
        summary: "Fetch a day's trending papers from a source and store them; answers with the ingest report",
        body: Type.Object({ date: PlainText({ maxLength: 10 }), source: Type.Optional(Source) }, STRICT),
        response: {
          200: Type.Object({
            day: Type.String(),
            source: Type.String(),
            fetched: Type.Integer(),
            created: Type.Integer(),
            updated: Type.Integer(),
            unchanged: Type.Integer(),
            newPapers: Type.Integer(),
            skipped: Type.Array(Type.Object({ id: Type.Optional(Type.String()), reason: Type.String() })),
          }),
          ...errorResponses,
          502: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (request) => admin.ingest(actorOf(request), request.body.date, request.body.source),
  );
};
