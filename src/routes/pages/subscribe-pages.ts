// The front page: the sign-up form (no scripts, works on a phone), and what it posts to.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { isPapermailError } from '../../errors.js';
import type { Services } from '../../services.js';
import { cronHour, type SettingsDefaults } from '../../subscriptions/delivery-settings.js';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS, splitKeywordText } from '../../subscriptions/keywords.js';
import { DeliverySettingsChangeSchema } from '../delivery-settings-schema.js';
import { PlainLines } from '../plain-text-schema.js';
import { deliveryOptions, hourLabel } from './delivery-options.js';
import { asList, TopicsField } from './page-forms.js';
import { sendPage } from './page-reply.js';

/** The delivery fields the form has: the API's schema for them (form text is coerced to numbers by it). */
const DeliveryFields = Type.Pick(DeliverySettingsChangeSchema, ['cadence', 'weekday', 'timezone', 'hour']);

const SignupForm = Type.Composite([
  Type.Object({
    // The email policy, not the plain-text schema, speaks for the address: its reasons are more precise.
    email: Type.Optional(Type.String({ maxLength: 1000 })),
    topics: Type.Optional(TopicsField),
    keywords: Type.Optional(PlainLines({ maxLength: 5000 })),
    /** The honeypot: hidden from people, filled in by bots; whatever it holds, the answer is the same 202. */
    website: Type.Optional(Type.String({ maxLength: 5000 })),
  }),
  DeliveryFields,
]);

type Delivery = Static<typeof DeliveryFields>;

/**
 * The delivery settings the form asks for. Its selects always send a value, so one left at what every new reader
 * gets (daily; the operator's zone and hour) is no choice: it is left out, and the reader keeps what they have (a
 * new reader follows the operator's zone and hour, should those change). A weekday counts only for a weekly digest.
 */
function chosenDelivery(form: Delivery, defaults: SettingsDefaults): Delivery {
  const chosen: Delivery = {};
  if (form.cadence === 'weekly') {
    chosen.cadence = 'weekly';
    if (form.weekday !== undefined) chosen.weekday = form.weekday;
  }
  const zone = form.timezone ?? defaults.timezone;
  const hour = form.hour ?? defaults.hour;
  if (zone !== defaults.timezone || hour !== defaults.hour) {
    if (form.timezone !== undefined) chosen.timezone = form.timezone;
    if (form.hour !== undefined) chosen.hour = form.hour;
  }
  return chosen;
}

export const subscribePages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, topics } = services;
  const defaults: SettingsDefaults = {
    timezone: services.config.scheduler.timezone,
    hour: cronHour(services.config.scheduler.cron),
  };

  async function renderForm(values: {
    email?: string;
    topics?: string[];
    keywords?: string;
    delivery?: Delivery;
    error?: string;
  }) {
    const chosen = new Set(values.topics ?? []);
    const all = await topics.listActive();
    const typed = values.delivery ?? {};
    const marked = {
      cadence: typed.cadence ?? 'daily',
      weekday: String(typed.weekday ?? 1),
      timezone: typed.timezone ?? defaults.timezone,
      hour: String(typed.hour ?? defaults.hour),
      channel: 'email',
    };
    return {
      email: values.email ?? '',
      keywords: values.keywords ?? '',
      error: values.error,
      topics: all.map((t) => ({ ...t, checked: chosen.has(t.slug) })),
      maxKeywords: MAX_KEYWORDS,
      maxKeywordLength: MAX_KEYWORD_LENGTH,
      delivery: deliveryOptions(defaults.timezone, marked, typed.timezone),
      usual: `daily at ${hourLabel(defaults.hour)}, ${defaults.timezone} time`,
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
      const delivery = { cadence: form.cadence, weekday: form.weekday, timezone: form.timezone, hour: form.hour };
      try {
        const signup = await subscriptions.prepareSignup({
          email: form.email ?? '',
          topics: chosenTopics,
          keywords: splitKeywordText(form.keywords ?? ''),
          ...chosenDelivery(delivery, defaults),
        });
        await subscriptions.acceptSignup(signup);
      } catch (err) {
        if (!isPapermailError(err) || err.statusCode !== 400) throw err;
        const values = {
          email: form.email,
          topics: chosenTopics,
          keywords: form.keywords,
          delivery,
          error: err.message,
        };
        return sendPage(reply, 400, 'subscribe', 'Subscribe', await renderForm(values));
      }
      return sendPage(reply, 202, 'subscribe-accepted', 'Check your inbox');
    },
  );
};
