/**
 * Waits `ms`, or less when `signal` aborts (it resolves then, it does not throw: callers check the signal). The abort
 * listener is removed when the timer wins, so a long-lived signal polled many times does not collect listeners.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
