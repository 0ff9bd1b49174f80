// A day at /admin/days/:date: deliveries by status, the failed ones with the reader and the relay's error, a
// "Resend" button per reader and "Resend to all failed" (the admin API's resend service: same cooldowns, same
// Idempotency-Key replay), the runs of the day, and any reader's digest previewed in a sandboxed iframe.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResendReport, ResendTarget } from '../../admin/digest-admin.js';
import { errors } from '../../errors.js';
import { actorOfSession, type DashboardOptions } from './dashboard-reply.js';
import { describeDay } from './day-view.js';

const DateParams = Type.Object({ date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) });
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** The preview is a reader's email: its own styles and images, nothing else, and only inside the dashboard. */
const PREVIEW_CSP =
  "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; font-src https: data:; " +
  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** A fresh key per form: pressing the same button twice (or reloading the answer) replays, never resends twice. */
const newKey = () => `dashboard-${randomBytes(12).toString('base64url')}`;

export const dayPages: FastifyPluginAsyncTypebox<DashboardOptions> = async (app, { services, page }) => {
  const digests = services.admin.digests;

  async function showDay(
    request: FastifyRequest,
    reply: FastifyReply,
    day: string,
    extra: { preview?: string; report?: ReturnType<typeof describeReport>; run?: number } = {},
  ) {
    const detail = describeDay(await digests.day(day));
    return page(request, reply, {
      name: 'day',
      title: `Digest of ${day}`,
      section: '/admin/runs',
      data: {
        ...detail,
        failed: detail.failed.map((f) => ({ ...f, key: newKey() })),
        failedKey: newKey(),
        resendKey: newKey(),
        preview: extra.preview,
        previewSrc: extra.preview ? `/admin/days/${day}/preview?email=${encodeURIComponent(extra.preview)}` : undefined,
        report: extra.report,
        startedRun: extra.run,
      },
    });
  }

  app.get(
    '/admin/days/:date',
    {
      schema: {
        hide: true,
        params: DateParams,
        querystring: Type.Object({
          preview: Type.Optional(Type.String({ maxLength: 254 })),
          run: Type.Optional(Type.Integer()),
        }),
      },
    },
    async (request, reply) =>
      showDay(request, reply, request.params.date, {
        preview: request.query.preview?.trim() || undefined,
        run: request.query.run,
      }),
  );

  app.get(
    '/admin/days/:date/preview',
    {
      schema: {
        hide: true,
        params: DateParams,
        querystring: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }),
      },
    },
    async (request, reply) => {
      const preview = await digests.preview(actorOfSession(request), request.params.date, request.query.email);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', PREVIEW_CSP)
        .header('x-frame-options', 'SAMEORIGIN')
        .send(preview.html);
    },
  );

  const ResendBody = Type.Object({
    email: Type.Optional(Type.String({ maxLength: 320 })),
    idempotencyKey: Type.Optional(Type.String({ maxLength: 255 })),
  });

  async function resend(request: FastifyRequest, reply: FastifyReply, day: string, target: ResendTarget, key: unknown) {
    const idempotencyKey = typeof key === 'string' && IDEMPOTENCY_KEY.test(key) ? key : undefined;
    const report = await digests.resend(actorOfSession(request), day, target, { idempotencyKey });
    digests.sendQueuedInBackground(report);
    return showDay(request, reply, day, { report: describeReport(report) });
  }

  app.post(
    '/admin/days/:date/resend',
    { schema: { hide: true, params: DateParams, body: ResendBody } },
    async (request, reply) => {
      const email = request.body.email?.trim();
      if (!email) throw errors.badRequest('Give the address of the reader to resend to.');
      return resend(request, reply, request.params.date, { emails: [email] }, request.body.idempotencyKey);
    },
  );

  app.post(
    '/admin/days/:date/resend-failed',
    { schema: { hide: true, params: DateParams, body: ResendBody } },
    async (request, reply) =>
      resend(request, reply, request.params.date, { failed: true }, request.body.idempotencyKey),
  );
};

/** The resend answer in words for the page. */
function describeReport(report: ResendReport) {
  const n = report.queued.length;
  return {
    ...report,
    summary:
      `${n === 0 ? 'No resend' : n === 1 ? '1 resend' : `${n} resends`} queued` +
      (report.skipped.length ? `, ${report.skipped.length} skipped` : '') +
      (report.unknown.length ? `, ${report.unknown.length} unknown` : '') +
      (report.replayed ? ' (this form was sent before: nothing new was queued)' : '') +
      '.',
  };
}
