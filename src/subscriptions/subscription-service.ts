// Everything a reader does outside the digest: sign up, confirm, change preferences, pause, leave, come back.
// No HTTP here; the routes, the scheduler and the CLI call this service.
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { TopicService } from '../topics/topic-service.js';
import { type ConfirmationView, confirmSignup, findConfirmation } from './confirm-sign-up.js';
import { cronHour } from './delivery-settings.js';
import { expirePendingSignups } from './expire-pending-signups.js';
import {
  getPreferences,
  type PreferencesChange,
  type ReaderPreferences,
  replaceFeedToken,
  updatePreferences,
} from './reader-preferences.js';
import type { ReaderStatus } from './reader-status.js';
import {
  prepareSignup,
  type SignupInput,
  type SignupOutcome,
  type SignupRequest,
  sendPendingConfirmation,
  subscribe,
} from './sign-up.js';
import { createSignupMail } from './signup-mail.js';
import { pauseReader, resubscribeReader, resumeReader, setReaderStatus, unsubscribeReader } from './status-changes.js';

export interface SubscriptionService {
  /** Validates a sign-up; throws a 400 that says what is wrong. Does not look at the address's state. */
  prepareSignup(input: SignupInput): Promise<SignupRequest>;
  /**
   * Takes a validated sign-up and does it in the background, after the caller has answered: the answer is the same,
   * and as fast, whatever the address's state. Failures are logged.
   */
  acceptSignup(request: SignupRequest): void;
  /** The sign-up work itself (what acceptSignup runs), for callers that want to wait for it. */
  subscribe(request: SignupRequest, now?: Date): Promise<SignupOutcome>;
  /** Resolves when every accepted sign-up has been done. */
  whenIdle(): Promise<void>;
  /**
   * Emails a pending reader created elsewhere (admin import) its confirmation link; throws when it cannot (no open
   * sign-up, or the address's daily share is used up). Fits the admin service's `sendConfirmation`.
   */
  sendConfirmation(subscriberId: number, now?: Date): Promise<void>;

  findConfirmation(confirmToken: unknown, now?: Date): Promise<ConfirmationView>;
  confirm(confirmToken: unknown, now?: Date): Promise<ConfirmationView>;

  getPreferences(token: unknown): Promise<ReaderPreferences>;
  updatePreferences(token: unknown, change: PreferencesChange): Promise<ReaderPreferences>;
  /** Gives the reader's feed a new token: the old feed URL answers 404 from now on. */
  replaceFeedToken(token: unknown): Promise<ReaderPreferences>;
  pause(token: unknown): Promise<ReaderStatus>;
  resume(token: unknown): Promise<ReaderStatus>;
  unsubscribe(token: unknown, now?: Date): Promise<ReaderStatus>;
  resubscribe(token: unknown): Promise<ReaderStatus>;
  /** Moves to the status asked for (paused, active, unsubscribed) by whichever change above gets there. */
  setStatus(token: unknown, wanted: 'active' | 'paused' | 'unsubscribed', now?: Date): Promise<ReaderStatus>;

  /** Deletes sign-ups not confirmed within a week; returns how many. For the daily schedule. */
  expirePendingSignups(now?: Date): Promise<number>;
  /** Waits for background sign-ups (call before closing the mailer). */
  close(): Promise<void>;
}

export interface SubscriptionDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  links: Links;
  mailer: Mailer;
  topics: TopicService;
}

export function createSubscriptionService(deps: SubscriptionDeps): SubscriptionService {
  const { prisma, log, topics } = deps;
  const mail = createSignupMail(deps);
  const inFlight = new Set<Promise<unknown>>();
  const view = {
    defaults: { timezone: deps.config.scheduler.timezone, hour: cronHour(deps.config.scheduler.cron) },
    links: deps.links,
  };

  const service: SubscriptionService = {
    prepareSignup: (input) => prepareSignup(topics, input),

    acceptSignup(request) {
      const work = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => service.subscribe(request))
        .catch((err: unknown) => log.error({ err }, 'sign-up failed after it was accepted'))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },

    subscribe: (request, now) => subscribe({ prisma, mail, log }, request, now),

    sendConfirmation: (subscriberId, now) => sendPendingConfirmation({ prisma, mail }, subscriberId, now),

    async whenIdle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    findConfirmation: (confirmToken, now) => findConfirmation(prisma, confirmToken, now),
    confirm: (confirmToken, now) => confirmSignup(prisma, confirmToken, now),

    getPreferences: (token) => getPreferences(prisma, view, token),
    updatePreferences: (token, change) => updatePreferences({ prisma, topics, view }, token, change),
    replaceFeedToken: (token) => replaceFeedToken(prisma, view, token),
    pause: (token) => pauseReader(prisma, token),
    resume: (token) => resumeReader(prisma, token),
    unsubscribe: (token, now) => unsubscribeReader(prisma, token, now),
    resubscribe: (token) => resubscribeReader(prisma, token),
    setStatus: (token, wanted, now) => setReaderStatus(prisma, token, wanted, now),

    expirePendingSignups: (now) => expirePendingSignups(prisma, now),
    close: () => service.whenIdle(),
  };
  return service;
}
