/**
 * Closed-loop load generation and summary statistics for benchmarks: N workers each send one
 * request, wait for it, and send the next, until the time is up. Figures only; no assertions.
 */
import { performance } from 'node:perf_hooks';

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  /** Requests in flight at any time. */
  readonly concurrency: number;
  /** How long to measure, after the warmup. */
  readonly durationMs: number;
  /** Requests sent (and discarded) before measuring, to warm connections and the JIT. @default 0 */
  readonly warmupRequests?: number;
}

/** Raw samples of one closed-loop run. */
export interface LoadSample {
  readonly concurrency: number;
  readonly requests: number;
  readonly elapsedMs: number;
  /** Latency of every measured request, in microseconds. */
  readonly latenciesUs: readonly number[];
  /** CPU time (user + system) this process spent during the measured window, in microseconds. */
  readonly cpuUs: number;
}

/**
 * Summary of one or more {@link LoadSample}s of the same scenario (e.g. rounds). Rates are the
 * median over the samples, so one round disturbed by other load on the machine does not skew them;
 * latency percentiles are over all requests pooled.
 */
export interface LoadSummary {
  readonly concurrency: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p95Us: number;
  readonly p99Us: number;
  /** This process's CPU time per request: the client's own cost when the server runs elsewhere. */
  readonly cpuUsPerRequest: number;
}

/** Runs `task` in a closed loop at the given concurrency and records every latency. */
export async function runClosedLoop(task: () => Promise<unknown>, options: ClosedLoopOptions): Promise<LoadSample> {
  const { concurrency, durationMs } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!(durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${durationMs}`);

  const warmup = options.warmupRequests ?? 0;
  for (let sent = 0; sent < warmup; sent += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, warmup - sent) }, () => task()));
  }

  const latenciesUs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      await task();
      latenciesUs.push((performance.now() - sentAt) * 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  return { concurrency, requests: latenciesUs.length, elapsedMs, latenciesUs, cpuUs: cpu.user + cpu.system };
}

/** The value below which `p` percent of the values fall (nearest-rank on sorted input). */
export function percentile(sortedValues: readonly number[], p: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedValues.length);
  return sortedValues[Math.min(sortedValues.length, Math.max(1, rank)) - 1] as number;
}

/** Merges samples of one scenario (e.g. several rounds) into one summary. */
export function summarize(samples: readonly LoadSample[]): LoadSummary {
  const first = samples[0];
  if (!first) throw new RangeError('summarize needs at least one sample');
  const latencies = samples.flatMap((sample) => sample.latenciesUs).sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    concurrency: first.concurrency,
    requests,
    requestsPerSecond: median(samples.map((sample) => sample.requests / (sample.elapsedMs / 1000))),
    meanUs: latencies.reduce((total, value) => total + value, 0) / requests,
    p50Us: percentile(latencies, 50),
    p95Us: percentile(latencies, 95),
    p99Us: percentile(latencies, 99),
    cpuUsPerRequest: median(samples.map((sample) => sample.cpuUs / sample.requests)),
  };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
