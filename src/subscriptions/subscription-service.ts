// Everything a reader does outside the digest: sign up, confirm, change preferences, pause, leave, come back.
// No HTTP here; the routes, the scheduler and the CLI call this service.
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { FirstDigest } from '../digest/first-digest.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { TopicService } from '../topics/topic-service.js';
import { type ConfirmationView, confirmSignup, findConfirmation } from './confirm-sign-up.js';
import { cronHour } from './delivery-settings.js';
import { expirePendingSignups } from './expire-pending-signups.js';
import { type ProcessSignupsOptions, processSignups, type SignupQueueReport } from './process-signups.js';
import {
  getPreferences,
  type PreferencesChange,
  type ReaderPreferences,
  replaceFeedToken,
  updatePreferences,
} from './reader-preferences.js';
import type { ReaderStatus } from './reader-status.js';
import {
  acceptSignup,
  prepareSignup,
  queuePendingConfirmation,
  type SignupInput,
  type SignupRequest,
} from './sign-up.js';
import { createSignupMail } from './signup-mail.js';
import { pauseReader, resubscribeReader, resumeReader, setReaderStatus, unsubscribeReader } from './status-changes.js';

export interface SubscriptionService {
  /** Validates a sign-up; throws a 400 that says what is wrong. Does not look at the address's state. */
  prepareSignup(input: SignupInput): Promise<SignupRequest>;
  /**
   * Writes a validated sign-up to the sign-up queue in one statement, the same for every address; await it before
   * answering. The queue's worker does the rest (processSignups). Wakes this process's worker, if one listens.
   */
  acceptSignup(request: SignupRequest): Promise<void>;
  /**
   * Queues the confirmation email of a pending reader created elsewhere (admin import); throws when it cannot (no
   * open sign-up, or the address's daily share is used up). Fits the admin service's `sendConfirmation`.
   */
  sendConfirmation(subscriberId: number, now?: Date): Promise<void>;
  /** One pass of the sign-up queue: decides and mails every request due now (src/jobs/signup-loop.ts runs it). */
  processSignups(options?: ProcessSignupsOptions): Promise<SignupQueueReport>;
  /** Calls `listener` whenever this process queued sign-up work; returns the function that stops it. */
  onQueued(listener: () => void): () => void;

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

  /** Deletes sign-ups not confirmed within a week, and old finished requests; returns how many readers. */
  expirePendingSignups(now?: Date): Promise<number>;
}

export interface SubscriptionDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  links: Links;
  mailer: Mailer;
  topics: TopicService;
  /** Sends a reader who just confirmed the latest day's digest, or says when the first comes (the digest service). */
  firstDigest?: (subscriberId: number) => Promise<FirstDigest>;
}

export function createSubscriptionService(deps: SubscriptionDeps): SubscriptionService {
  const { prisma, config, log, topics } = deps;
  const mail = createSignupMail(deps);
  const listeners = new Set<() => void>();
  const queued = () => {
    for (const listener of listeners) listener();
  };
  const view = {
    defaults: { timezone: deps.config.scheduler.timezone, hour: cronHour(deps.config.scheduler.cron) },
    links: deps.links,
  };

  return {
    prepareSignup: (input) => prepareSignup(topics, input),

    async acceptSignup(request) {
      await acceptSignup(prisma, request);
      queued();
    },

    async sendConfirmation(subscriberId, now) {
      await queuePendingConfirmation(prisma, subscriberId, now);
      queued();
    },

    processSignups: (options) => processSignups({ prisma, config, log, mail }, options),

    onQueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    findConfirmation: (confirmToken, now) => findConfirmation(prisma, confirmToken, now),
    async confirm(confirmToken, now) {
      const view = await confirmSignup(prisma, confirmToken, now);
      if (view.state !== 'confirmed' || !deps.firstDigest) return view;
      // The reader is confirmed whatever happens here: a failure only leaves the page without the first digest.
      try {
        return { ...view, firstDigest: await deps.firstDigest(view.subscriberId) };
      } catch (err) {
        log.error({ err, subscriberId: view.subscriberId }, 'first digest: could not be prepared');
        return view;
      }
    },

    getPreferences: (token) => getPreferences(prisma, view, token),
    updatePreferences: (token, change) => updatePreferences({ prisma, topics, view }, token, change),
    replaceFeedToken: (token) => replaceFeedToken(prisma, view, token),
    pause: (token) => pauseReader(prisma, token),
    resume: (token) => resumeReader(prisma, token),
    unsubscribe: (token, now) => unsubscribeReader(prisma, token, now),
    resubscribe: (token) => resubscribeReader(prisma, token),
    setStatus: (token, wanted, now) => setReaderStatus(prisma, token, wanted, now),

    expirePendingSignups: (now) => expirePendingSignups(prisma, now),
  };
}
