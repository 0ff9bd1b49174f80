// How long a temporary send failure waits before the next attempt: exponential backoff with a little jitter, so a
// throttling relay is not hit by every retry at once.

/** The delay before attempt `attempts + 1`, when the first retry waits `baseMs`. */
export function retryDelay(baseMs: number, attempts: number): number {
  return Math.round(baseMs * 2 ** Math.max(0, attempts - 1) * (1 + Math.random() * 0.1));
}
