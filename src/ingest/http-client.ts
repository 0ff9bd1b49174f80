// GET with the manners public APIs ask for: a descriptive User-Agent, a time limit per request, retries with
// exponential backoff on 429, 5xx and network errors, the waits servers ask for (Retry-After, RateLimit), and an
// optional minimum spacing between requests (arXiv asks for 3 s). Other 4xx answers go back to the caller, who
// knows what the API means by them.
import { errors, isPapermailError } from '../errors.js';
import type { Logger } from '../logger.js';
import { rateLimitState, serverWaitMs } from './rate-limit-headers.js';

export interface HttpClientOptions {
  /** Who is asking, for messages: "Hugging Face", "arXiv". */
  name: string;
  userAgent: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff delay; it doubles with each retry. */
  retryBaseMs?: number;
  /** A server that asks for a longer wait than this fails the request now instead of stalling the run. */
  maxServerWaitMs?: number;
  /** Least time from the end of one request to the start of the next, retries included (arXiv: 3000). */
  minIntervalMs?: number;
  log: Logger;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface HttpClient {
  get(url: string, accept: string): Promise<HttpResponse>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** A one-line cause for a failed fetch: "timed out after 200 ms", "connect ECONNREFUSED 127.0.0.1:9". */
function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  return e.cause?.message ?? e.cause?.code ?? e.message ?? String(err);
}

/** Where a request went, for messages: the URL, cut if very long. */
function shortUrl(url: string): string {
  return url.length > 140 ? `${url.slice(0, 140)}…` : url;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { name, userAgent, timeoutMs, retries, log } = options;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const maxServerWaitMs = options.maxServerWaitMs ?? 120_000;
  const minIntervalMs = options.minIntervalMs ?? 0;
  // Earliest time the next request may start: spacing, and a RateLimit window with nothing left.
  let notBefore = 0;
  // One request at a time per client (arXiv asks for a single connection); paging is sequential anyway.
  let queue: Promise<unknown> = Promise.resolve();

  async function attemptOnce(url: string, accept: string): Promise<HttpResponse> {
    // A loop, because a timer may fire a millisecond before Date.now() agrees the time has come.
    for (let wait = notBefore - Date.now(); wait > 0; wait = notBefore - Date.now()) await sleep(wait);
    let res: Response;
    let body: string;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      res = await fetch(url, { headers: { 'user-agent': userAgent, accept }, signal, redirect: 'follow' });
      body = await res.text();
    } finally {
      // Spacing counts from the end of one exchange to the start of the next: stricter than start to start.
      notBefore = Date.now() + minIntervalMs;
    }
    // A success that used up the window: hold the next request until it resets. (Refusals are handled by the
    // retry loop, which also decides when a wait is too long to sit out.)
    const limit = rateLimitState(res.headers);
    if (!isRetryableStatus(res.status) && limit.remaining === 0 && limit.resetMs !== undefined) {
      notBefore = Math.max(notBefore, Date.now() + Math.min(limit.resetMs, maxServerWaitMs));
    }
    return { status: res.status, headers: res.headers, body };
  }

  async function getWithRetries(url: string, accept: string): Promise<HttpResponse> {
    const attempts = retries + 1;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      let askedWaitMs: number | undefined;
      try {
        const res = await attemptOnce(url, accept);
        if (!isRetryableStatus(res.status)) return res;
        problem = `HTTP ${res.status}`;
        askedWaitMs = serverWaitMs(res.headers);
        if (askedWaitMs !== undefined && askedWaitMs > maxServerWaitMs) {
          throw errors.sourceUnavailable(
            `${name} is rate limiting us (HTTP ${res.status}) and asks to wait ${Math.ceil(askedWaitMs / 1000)} s; try again later`,
          );
        }
      } catch (err) {
        if (isPapermailError(err)) throw err;
        problem = describeNetworkError(err, timeoutMs);
      }
      if (attempt >= attempts) {
        throw errors.sourceUnavailable(
          `${name} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${problem}): ${shortUrl(url)}`,
        );
      }
      // Exponential backoff with a little jitter, so a fleet that failed together does not retry together.
      const backoffMs = retryBaseMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
      const delayMs = Math.round(askedWaitMs ?? backoffMs);
      log.warn({ source: name, url, attempt, delayMs, problem }, 'source request failed; retrying');
      await sleep(delayMs);
    }
  }

  return {
    get(url, accept) {
      const result = queue.then(() => getWithRetries(url, accept));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
