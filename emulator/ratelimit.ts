/**
 * ShoreGuard's in-memory sliding-window limiter (§1.4): blocked calls are not recorded, and
 * `Retry-After` counts from the oldest hit still inside the window.
 */
import { performance } from 'node:perf_hooks';
import { retryAfterSeconds } from './quirks';

export interface RateLimitConfig {
  attempts: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export class SlidingWindowRateLimiter {
  private readonly buckets = new Map<string, number[]>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly monotonicSeconds: () => number = () => performance.now() / 1000,
  ) {}

  /** Returns the Retry-After seconds when `key` is blocked, otherwise records the hit and returns null. */
  hit(key: string): number | null {
    const now = this.monotonicSeconds();
    const bucket = this.buckets.get(key) ?? [];
    const cutoff = now - this.config.windowSeconds;
    while (bucket.length > 0 && (bucket[0] ?? 0) < cutoff) bucket.shift();
    if (bucket.length >= this.config.attempts) {
      return retryAfterSeconds(bucket[0] ?? now, this.config.lockoutSeconds, now);
    }
    bucket.push(now);
    this.buckets.set(key, bucket);
    return null;
  }

  reset(): void {
    this.buckets.clear();
  }
}
