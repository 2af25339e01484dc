/**
 * The retry policy, as data, and the pure functions that apply it.
 *
 * Why a hand-written loop (in transport.ts) rather than undici's RetryAgent/RetryHandler:
 * - the retry decision depends on a per-call idempotency flag and on the response (a write may be
 *   retried only after a 429 that carries `Retry-After`), which RetryHandler's method list and
 *   status list cannot express;
 * - the policy needs a total time budget (`maxElapsedMs`) and full jitter, and tests need to inject
 *   `sleep`/`random`/`now` to assert exact delays without real timers;
 * - the final failure must become a typed ShoreGuard error built from the last response body, which
 *   RetryHandler turns into its own `RequestRetryError`.
 *
 * The rule for writes (non-idempotent calls such as register, apply, pin, create hook): they are
 * never retried after a network error or a 5xx, because the server may already have acted on them.
 * They are retried only when the server says explicitly that it rejected the request before
 * processing it and when to come back: HTTP 429 with a `Retry-After` header (ShoreGuard's rate
 * limiters run before the handler, §1.1/§1.4 of the contract).
 */

/** How the client retries failed calls. Every field has a default in {@link DEFAULT_RETRY_POLICY}. */
export interface RetryPolicy {
  /**
   * Total attempts per call, the first one included. 1 disables retries.
   * @default 4
   */
  readonly maxAttempts: number;
  /**
   * Backoff before the second attempt; doubles for each further attempt.
   * @default 500
   */
  readonly baseDelayMs: number;
  /**
   * Upper bound of one computed backoff (a server `Retry-After` is honoured as sent).
   * @default 10000
   */
  readonly maxDelayMs: number;
  /**
   * Time budget of one call, retries and waits included. A retry whose wait would end after the
   * budget is not attempted; the last error is thrown instead.
   * @default 60000
   */
  readonly maxElapsedMs: number;
  /**
   * Response statuses that are retried (for idempotent calls; writes only on 429 + Retry-After).
   * @default [429, 502, 503, 504]
   */
  readonly retryOnStatus: readonly number[];
  /**
   * Whether idempotent calls are retried after a network error or timeout.
   * @default true
   */
  readonly retryOnNetworkErrors: boolean;
  /**
   * `full`: each backoff is a random value in [0, computed backoff) (AWS "full jitter");
   * `none`: exactly the computed backoff.
   * @default 'full'
   */
  readonly jitter: 'full' | 'none';
}

/** The defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  retryOnStatus: Object.freeze([429, 502, 503, 504]),
  retryOnNetworkErrors: true,
  jitter: 'full',
} as const);

/** Time and randomness used by the retry loop; injectable so tests need no real timers. */
export interface RetryClock {
  /** Waits `ms` milliseconds. @default a `setTimeout` promise */
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1). @default Math.random */
  random(): number;
  /** Milliseconds since the epoch. @default Date.now */
  now(): number;
}

/** The real clock. */
export const SYSTEM_CLOCK: RetryClock = Object.freeze({
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
  now: () => Date.now(),
});

/**
 * Parses a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * @returns the wait in milliseconds (never negative), or `undefined` when absent or unparseable.
 */
export function parseRetryAfter(header: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  // Only an HTTP date counts; reject other strings Date.parse happens to accept, like "1.5".
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, date - nowMs);
}

/** The backoff before attempt `attempt + 1` (attempt counts from 1), capped and jittered. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return policy.jitter === 'full' ? Math.floor(random() * capped) : capped;
}

/** What went wrong with one attempt. */
export type AttemptFailure =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'network' };

/** The outcome of {@link decideRetry}: wait and retry, or stop with a reason (for logs). */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: string };

/** The facts {@link decideRetry} needs about one failed attempt. */
export interface RetryQuestion {
  readonly policy: RetryPolicy;
  /** Whether the call may be repeated without changing the result (declared by each API method). */
  readonly idempotent: boolean;
  /** The attempt that just failed, counting from 1. */
  readonly attempt: number;
  /** Milliseconds since the call started. */
  readonly elapsedMs: number;
  readonly failure: AttemptFailure;
  readonly random: () => number;
}

/** Decides whether to retry after a failed attempt. Pure: same question, same answer. */
export function decideRetry(question: RetryQuestion): RetryDecision {
  const { policy, idempotent, attempt, elapsedMs, failure } = question;
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempt} attempt(s)` };

  let delayMs: number;
  if (failure.kind === 'network') {
    if (!policy.retryOnNetworkErrors) return { retry: false, reason: 'network errors are not retried by the policy' };
    if (!idempotent) return { retry: false, reason: 'a write is never retried after a network error' };
    delayMs = backoffDelayMs(policy, attempt, question.random);
  } else {
    if (!policy.retryOnStatus.includes(failure.status)) {
      return { retry: false, reason: `status ${failure.status} is not retried by the policy` };
    }
    const serverAskedToRetry = failure.status === 429 && failure.retryAfterMs !== undefined;
    if (!idempotent && !serverAskedToRetry) {
      return { retry: false, reason: 'a write is retried only on 429 with Retry-After' };
    }
    delayMs = failure.retryAfterMs ?? backoffDelayMs(policy, attempt, question.random);
  }

  if (elapsedMs + delayMs > policy.maxElapsedMs) {
    return { retry: false, reason: `waiting ${delayMs} ms would exceed maxElapsedMs (${policy.maxElapsedMs} ms)` };
  }
  return { retry: true, delayMs };
}
