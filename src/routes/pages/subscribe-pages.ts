// The front page: the sign-up form (no scripts, works on a phone), and what it posts to.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isPapermailError } from '../../errors.js';
import type { Services } from '../../services.js';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS, splitKeywordText } from '../../subscriptions/keywords.js';
import { PlainLines } from '../plain-text-schema.js';
import { asList, TopicsField } from './page-forms.js';
import { sendPage } from './page-reply.js';

const SignupForm = Type.Object({
  // The email policy, not the plain-text schema, speaks for the address: its reasons are more precise.
  email: Type.Optional(Type.String({ maxLength: 1000 })),
  topics: Type.Optional(TopicsField),
  keywords: Type.Optional(PlainLines({ maxLength: 5000 })),
  /** The honeypot: hidden from people, filled in by bots; whatever it holds, the answer is the same 202. */
  website: Type.Optional(Type.String({ maxLength: 5000 })),
});

export const subscribePages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, topics } = services;

  async function renderForm(values: { email?: string; topics?: string[]; keywords?: string; error?: string }) {
    const chosen = new Set(values.topics ?? []);
    const all = await topics.listActive();
    return {
      email: values.email ?? '',
      keywords: values.keywords ?? '',
      error: values.error,
      topics: all.map((t) => ({ ...t, checked: chosen.has(t.slug) })),
      maxKeywords: MAX_KEYWORDS,
      maxKeywordLength: MAX_KEYWORD_LENGTH,
    };
  }

  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, 200, 'subscribe', 'Subscribe', await renderForm({})),
  );

  app.post(
    '/subscribe',
    { config: { rateLimit: services.config.signupRateLimit }, schema: { hide: true, body: SignupForm } },
    async (request, reply) => {
      const form = request.body;
      // A bot filled the hidden field: answer exactly as for a person, and do nothing.
      if (form.website !== undefined && form.website.trim() !== '') {
        request.log.info('sign-up form: honeypot filled, ignored');
        return sendPage(reply, 202, 'subscribe-accepted', 'Check your inbox');
      }
      const chosenTopics = asList(form.topics);
      try {
        const signup = await subscriptions.prepareSignup({
          email: form.email ?? '',
          topics: chosenTopics,
          keywords: splitKeywordText(form.keywords ?? ''),
        });
        await subscriptions.acceptSignup(signup);
      } catch (err) {
        if (!isPapermailError(err) || err.statusCode !== 400) throw err;
        const values = { email: form.email, topics: chosenTopics, keywords: form.keywords, error: err.message };
        return sendPage(reply, 400, 'subscribe', 'Subscribe', await renderForm(values));
      }
      return sendPage(reply, 202, 'subscribe-accepted', 'Check your inbox');
    },
  );
};
