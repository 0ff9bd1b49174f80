// How long a server asks us to wait, from Retry-After or the IETF RateLimit headers. Hugging Face answers 429 with
// `RateLimit: "api";r=0;t=55` (remaining r, seconds to reset t); older drafts use `remaining=` / `reset=` or
// separate RateLimit-Remaining / RateLimit-Reset headers. All durations come back in milliseconds.

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function param(text: string, names: string[]): number | undefined {
  for (const name of names) {
    const m = new RegExp(`(?:^|[;,\\s])${name}\\s*=\\s*(\\d+)`, 'i').exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export interface RateLimitState {
  /** Requests left in the current window, when the server says. */
  remaining?: number;
  /** Milliseconds until the window resets, when the server says. */
  resetMs?: number;
}

export function rateLimitState(headers: Headers): RateLimitState {
  const combined = headers.get('ratelimit') ?? '';
  const remaining = param(combined, ['r', 'remaining']) ?? numberHeader(headers, 'ratelimit-remaining');
  const reset = param(combined, ['t', 'reset']) ?? numberHeader(headers, 'ratelimit-reset');
  return {
    ...(remaining !== undefined ? { remaining } : {}),
    ...(reset !== undefined ? { resetMs: reset * 1000 } : {}),
  };
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The wait a refusal (429/503) asks for: Retry-After first, else the RateLimit reset. */
export function serverWaitMs(headers: Headers, now = Date.now()): number | undefined {
  return retryAfterMs(headers, now) ?? rateLimitState(headers).resetMs;
}
