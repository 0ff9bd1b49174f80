// The readers' JSON API. Sign-up is open (rate-limited per IP); /api/preferences/:token is authorised by the token
// itself, the same one as in every digest's preferences link: whoever holds it may read and change that reader's
// preferences, and nobody else can (256 random bits). No cookies are involved, so there is no CSRF to defend.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Services } from '../services.js';
import { MAX_KEYWORDS } from '../subscriptions/keywords.js';
import { MAX_PAPERS, MIN_PAPERS } from '../subscriptions/reader-preferences.js';
import { DeliverySettingsChangeSchema, DeliverySettingsSchema } from './delivery-settings-schema.js';
import { ErrorSchema } from './error-schema.js';
import { PlainText } from './plain-text-schema.js';
import { SubscriberStatusSchema as StatusSchema } from './subscriber-status-schema.js';

const TopicSchema = Type.Object({ slug: Type.String(), name: Type.String(), description: Type.String() });

/** Unknown fields are refused: a misspelt `maxpapers` must not answer 200 and change nothing. */
const STRICT = { additionalProperties: false } as const;

const TopicSlugs = Type.Array(PlainText({ maxLength: 200 }), { maxItems: 100, description: 'Topic slugs' });
const Keywords = Type.Array(PlainText({ maxLength: 1000 }), { maxItems: 100, description: `At most ${MAX_KEYWORDS}` });

/** The address, interests, and any delivery settings (the preferences' schema; `feedUrl` is not for a sign-up). */
const SignupSchema = Type.Composite(
  [
    Type.Object({
      // The email policy, not the plain-text schema, speaks for the address: its reasons are more precise.
      email: Type.String({ maxLength: 1000, description: 'One plain address; see README "Email addresses".' }),
      topics: Type.Optional(TopicSlugs),
      keywords: Type.Optional(Keywords),
    }),
    DeliverySettingsChangeSchema,
  ],
  STRICT,
);

/** The one answer to every sign-up that passed validation, whatever the address's state. */
export const SIGNUP_ACCEPTED = {
  status: 'accepted',
  message: 'Thanks. If this address can get papermail, an email is on its way: follow its link to confirm.',
} as const;

const AcceptedSchema = Type.Object({ status: Type.Literal('accepted'), message: Type.String() });

const PreferencesSchema = Type.Composite([
  Type.Object({
    email: Type.String(),
    status: StatusSchema,
    confirmed: Type.Boolean(),
    topics: Type.Array(Type.String()),
    keywords: Type.Array(Type.String()),
    maxPapers: Type.Integer(),
    topWhenNoMatch: Type.Boolean(),
  }),
  DeliverySettingsSchema,
  Type.Object({ feedUrl: Type.String({ description: 'read-only: the personal Atom feed' }) }),
]);

const PreferencesChangeSchema = Type.Composite(
  [
    DeliverySettingsChangeSchema,
    Type.Object({
      topics: Type.Optional(TopicSlugs),
      keywords: Type.Optional(Keywords),
      maxPapers: Type.Optional(Type.Integer({ description: `${MIN_PAPERS} to ${MAX_PAPERS}` })),
      topWhenNoMatch: Type.Optional(Type.Boolean()),
      status: Type.Optional(
        Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('unsubscribed')], {
          description: 'paused pauses, active resumes (or resubscribes), unsubscribed unsubscribes',
        }),
      ),
    }),
  ],
  STRICT,
);

/** A token is checked by its shape, not by this schema: a malformed one gets the same 404 as an unknown one. */
const TokenParams = Type.Object({ token: Type.String() });

export const readerApiRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, topics } = services;

  app.get(
    '/api/topics',
    {
      schema: {
        tags: ['readers'],
        summary: 'The topics a reader can choose',
        response: { 200: Type.Array(TopicSchema) },
      },
    },
    async () => (await topics.listActive()).map(({ slug, name, description }) => ({ slug, name, description })),
  );

  app.post(
    '/api/subscriptions',
    {
      config: { rateLimit: services.config.signupRateLimit },
      schema: {
        tags: ['readers'],
        summary: 'Sign up; a confirmation email follows',
        description:
          'Answers 202 with the same body for every valid request, whether the address is new, pending, active or ' +
          'unsubscribed. The delivery settings are optional and, like the topics and keywords, apply only when the ' +
          'confirmation link is pressed. 400 says what is wrong with the request; 429 when this IP signed up too often.',
        body: SignupSchema,
        response: { 202: AcceptedSchema, 400: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const signup = await subscriptions.prepareSignup(request.body);
      await subscriptions.acceptSignup(signup);
      return reply.code(202).send(SIGNUP_ACCEPTED);
    },
  );

  app.get(
    '/api/preferences/:token',
    {
      schema: {
        tags: ['readers'],
        summary: "A reader's preferences; the token from the preferences link authorises",
        params: TokenParams,
        response: { 200: PreferencesSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return subscriptions.getPreferences(request.params.token);
    },
  );

  app.put(
    '/api/preferences/:token',
    {
      schema: {
        tags: ['readers'],
        summary: "Change a reader's preferences; fields left out stay as they are",
        description: 'The fields are saved first (all or nothing), then the status change, if any.',
        params: TokenParams,
        body: PreferencesChangeSchema,
        response: { 200: PreferencesSchema, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { status, ...change } = request.body;
      const { token } = request.params;
      let preferences = await subscriptions.updatePreferences(token, change);
      if (status !== undefined && status !== preferences.status) {
        await subscriptions.setStatus(token, status);
        preferences = await subscriptions.getPreferences(token);
      }
      reply.header('cache-control', 'no-store');
      return preferences;
    },
  );
};
