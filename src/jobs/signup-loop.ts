// Works through the sign-up queue: at once when this process accepted a sign-up, and every so often for the rest
// (retries that are due, requests other instances accepted, leftovers of a process that crashed). Every instance
// that serves HTTP runs it; claims are row locks (FOR UPDATE SKIP LOCKED), so several loops never mail one request
// twice. The wake-up is only a hint: the work itself is in Postgres, so a lost wake-up costs one interval.
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';

/** How often the loop looks for due requests when nothing woke it. */
export const SIGNUP_POLL_MS = 1000;

export interface SignupLoop {
  start(): void;
  /** Stops the timer and waits for a pass in progress (it finishes what it claimed). */
  stop(): Promise<void>;
}

export function createSignupLoop(
  deps: Pick<Services, 'subscriptions'> & { log: Logger },
  intervalMs = SIGNUP_POLL_MS,
): SignupLoop {
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const controller = new AbortController();

  const pass = async () => {
    try {
      await deps.subscriptions.processSignups({ signal: controller.signal });
    } catch (err) {
      deps.log.error({ err }, 'sign-up loop: pass failed; the next one tries again');
    }
  };

  // One pass at a time; a wake-up during a pass runs another right after it, so nothing waits for the timer.
  const wake = () => {
    if (controller.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !controller.signal.aborted);
    })().finally(() => {
      running = undefined;
    });
  };

  return {
    start() {
      unsubscribe = deps.subscriptions.onQueued(wake);
      timer = setInterval(wake, intervalMs);
      timer.unref();
      wake();
    },
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      controller.abort();
      await running;
    },
  };
}
