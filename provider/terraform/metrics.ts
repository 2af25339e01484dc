/**
 * Where the provider spends its time: per RPC (as the gRPC server sees it) and inside the resource
 * handlers (ShoreGuard API time). The difference is the provider's own overhead (decoding,
 * planning, encoding). Off by default; `SHOREGUARD_TF_METRICS_DIR=dir` makes each plugin process
 * write a JSON summary there at shutdown (used by bench/terraform.ts).
 */
import { writeFileSync } from 'node:fs';

export interface TimingBucket {
  count: number;
  totalMs: number;
}

export interface MetricsSummary {
  /** Per RPC name, e.g. `PlanResourceChange`. */
  readonly rpc: Record<string, TimingBucket>;
  /** Time inside resource/lookup handlers, per operation (`create`, `read`, …). */
  readonly api: Record<string, TimingBucket>;
}

export class ProviderMetrics {
  readonly #rpc = new Map<string, TimingBucket>();
  readonly #api = new Map<string, TimingBucket>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Times one RPC. */
  rpc<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.#time(this.#rpc, name, run);
  }

  /** Times one handler call (API time). */
  api<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.#time(this.#api, operation, run);
  }

  summary(): MetricsSummary {
    return { rpc: Object.fromEntries(this.#rpc), api: Object.fromEntries(this.#api) };
  }

  /** Writes the summary as JSON; a failure is reported, not thrown (metrics must not break a run). */
  writeTo(file: string, onError: (message: string) => void): void {
    try {
      writeFileSync(file, `${JSON.stringify(this.summary(), null, 2)}\n`);
    } catch (error) {
      onError(`could not write metrics to ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async #time<T>(buckets: Map<string, TimingBucket>, name: string, run: () => Promise<T>): Promise<T> {
    const started = this.clock();
    try {
      return await run();
    } finally {
      const bucket = buckets.get(name) ?? { count: 0, totalMs: 0 };
      bucket.count += 1;
      bucket.totalMs += this.clock() - started;
      buckets.set(name, bucket);
    }
  }
}
