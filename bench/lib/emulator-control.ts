/**
 * The emulator's `/__emulator` control API (emulator/README.md) from a benchmark: seeding,
 * latency injection and the per-route request counts. Control calls are neither counted nor
 * delayed by the emulator, so they never pollute a measurement.
 */
import { z } from 'zod';

const StatsSchema = z.object({ requests: z.number().int(), byRoute: z.record(z.string(), z.number().int()) });
const PolicyStateSchema = z.object({ activeVersion: z.number().int(), policyHash: z.string() });

/** Requests the emulator served, per `"METHOD /route/template"`. */
export type RequestCounts = z.infer<typeof StatsSchema>;

/** A control call that did not answer as documented. */
export class EmulatorControlError extends Error {
  constructor(method: string, path: string, status: number, body: string) {
    super(`emulator control ${method} ${path} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'EmulatorControlError';
  }
}

export class EmulatorControl {
  readonly #adminKey: string;

  constructor(
    readonly url: string,
    adminKey: string,
  ) {
    this.#adminKey = adminKey;
  }

  async registerGateway(name: string): Promise<void> {
    await this.call('POST', '/gateways', { name, endpoint: '127.0.0.1:50051', connected: true });
  }

  /** Creates (or replaces) the sandbox with `policy` as a fresh revision; returns its lock hash. */
  async seedSandbox(gateway: string, sandbox: string, policy: Record<string, unknown>): Promise<string> {
    const body = await this.call('PUT', `/sandboxes/${encodeURIComponent(gateway)}/${encodeURIComponent(sandbox)}`, { policy });
    return PolicyStateSchema.parse(body).policyHash;
  }

  async pin(gateway: string, sandbox: string, reason: string): Promise<void> {
    await this.call('PUT', `/pins/${encodeURIComponent(gateway)}/${encodeURIComponent(sandbox)}`, { reason });
  }

  async editOutOfBand(gateway: string, sandbox: string, policy: Record<string, unknown>): Promise<void> {
    await this.call('POST', `/sandboxes/${encodeURIComponent(gateway)}/${encodeURIComponent(sandbox)}/out-of-band-edit`, { policy });
  }

  /** Submits one chunk the way an agent inside the sandbox does (`SubmitPolicyAnalysis`, agent_authored). */
  async submitProposal(gateway: string, sandbox: string, chunk: Record<string, unknown>): Promise<void> {
    await this.call('POST', `/sandboxes/${encodeURIComponent(gateway)}/${encodeURIComponent(sandbox)}/proposals`, { analysisMode: 'agent_authored', chunks: [chunk] });
  }

  /** Every request from now on waits `ms` before it is handled (0 clears all faults). */
  async setLatency(ms: number): Promise<void> {
    await this.call('DELETE', '/faults');
    if (ms > 0) await this.call('POST', '/faults', { kind: 'latency', ms });
  }

  async stats(): Promise<RequestCounts> {
    return StatsSchema.parse(await this.call('GET', '/stats'));
  }

  async resetStats(): Promise<void> {
    await this.call('DELETE', '/stats');
  }

  /** Back to the bootstrap state (the printed keys stay valid). */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/__emulator${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new EmulatorControlError(method, path, response.status, text);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  toJSON(): Record<string, unknown> {
    return { url: this.url, adminKey: '[redacted]' };
  }
}
