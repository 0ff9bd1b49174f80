// Sends whatever is due, every so often, whoever queued it: retries that outlived the daily run's wait limit,
// resends an admin queued, deliveries a crashed process left behind. Every instance may run it: claims are
// row locks (FOR UPDATE SKIP LOCKED), so several loops never send the same delivery twice.
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';

export interface SenderLoop {
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function createSenderLoop(deps: Pick<Services, 'digests'> & { log: Logger }, intervalMs = 60_000): SenderLoop {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const controller = new AbortController();

  const pass = async () => {
    try {
      const report = await deps.digests.sendPending({ signal: controller.signal });
      if (report.claimed > 0) deps.log.info({ ...report }, 'sender loop: sent what was due');
    } catch (err) {
      deps.log.error({ err }, 'sender loop: pass failed; the next one tries again');
    }
  };

  return {
    start() {
      timer = setInterval(() => {
        if (!running) running = pass().finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      controller.abort();
      await running;
    },
  };
}
