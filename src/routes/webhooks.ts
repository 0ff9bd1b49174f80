// Provider feedback webhooks: POST /webhooks/{ses,postmark,mailgun,sendgrid,generic}. Signatures cover the exact
// bytes that arrived, so this plugin keeps every body as a string and the webhook service parses it once verified.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';
import { PROVIDERS } from '../webhooks/provider-event.js';
import { ErrorSchema } from './error-schema.js';

const ProviderParamsSchema = Type.Object({
  provider: Type.Union(
    PROVIDERS.map((p) => Type.Literal(p)),
    { description: 'ses (through SNS), postmark, mailgun, sendgrid or generic' },
  ),
});

const ReceivedSchema = Type.Object({
  events: Type.Integer({ description: 'events in the request' }),
  recorded: Type.Integer({ description: 'events seen for the first time; the rest were replays' }),
  suppressed: Type.Integer({ description: 'readers this request stopped mailing' }),
  subscription: Type.Optional(Type.String({ description: 'SNS only: confirmed or unsubscribed' })),
});

/** Webhooks are small; a SendGrid batch of a few thousand events fits well under this. */
const BODY_LIMIT = 5 * 1024 * 1024;

export const webhookRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  // SNS posts JSON as text/plain; the others post application/json. Either way, keep the raw text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post(
    '/webhooks/:provider',
    {
      schema: {
        tags: ['webhooks'],
        summary: "A mail provider's bounce and complaint feedback (README, Provider feedback)",
        params: ProviderParamsSchema,
        body: Type.String({ description: "the provider's signed payload, as sent" }),
        response: { 200: ReceivedSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (req) => services.webhooks.receive(req.params.provider, { body: req.body ?? '', headers: req.headers }),
  );
};
