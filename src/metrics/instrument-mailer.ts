// A Mailer that counts what the relay answers and how long it takes, for /metrics. It wraps whatever services.ts
// sends with (the digest sender, confirmation emails), so no sender has to know about metrics.
import type { Mailer } from '../mail/mailer.js';
import type { Metrics, ReplyClass } from './metrics.js';

function classOf(code: unknown): ReplyClass {
  const n = typeof code === 'number' ? code : Number.parseInt(String(code ?? ''), 10);
  if (n >= 200 && n < 300) return '2xx';
  if (n >= 400 && n < 500) return '4xx';
  if (n >= 500 && n < 600) return '5xx';
  return 'none';
}

/** `metrics`: the process's, or a sender thread's stand-in that hands the observations to the main thread. */
export function instrumentMailer(mailer: Mailer, metrics: Pick<Metrics, 'observeSend'>): Mailer {
  // The outbox writes files: there is no relay to answer, so nothing to count.
  if (mailer.kind !== 'smtp') return mailer;
  return {
    kind: mailer.kind,
    async send(message) {
      const started = performance.now();
      try {
        const result = await mailer.send(message);
        metrics.observeSend((performance.now() - started) / 1000, classOf(/^\d{3}/.exec(result.response)?.[0]));
        return result;
      } catch (err) {
        metrics.observeSend(
          (performance.now() - started) / 1000,
          classOf((err as { responseCode?: unknown }).responseCode),
        );
        throw err;
      }
    },
    close: () => mailer.close(),
  };
}
