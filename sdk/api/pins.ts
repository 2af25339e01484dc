import { z } from 'zod';
import { isShoreGuardError, isUnknownRoute } from '../errors';
import { type PinPolicyInput, type PolicyPin, policyPinSchema } from '../models/pins';
import { type Transport, apiPath } from '../transport';
import { normaliseTimestamp } from './input';

/** Policy pins (freeze a sandbox's policy): `/api/gateways/{gw}/sandboxes/{name}/policy/pin`. */
export class PinsApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The active pin, or `null` when the sandbox is not pinned (the server's 404, also after expiry). */
  async get(gateway: string, sandbox: string): Promise<PolicyPin | null> {
    return nullWhenNoPin(() =>
      this.#transport.call({ method: 'GET', path: pinPath(gateway, sandbox), idempotent: true, gateway, sandbox }, policyPinSchema),
    );
  }

  /**
   * Pins the sandbox at its current revision (operator). An upsert: pinning again replaces reason
   * and expiry (no 409). Needs a connected gateway (503 otherwise). Not retried (a write).
   * @throws ShoreGuardError `validation` locally for an unparseable `expiresAt`.
   */
  async pin(gateway: string, sandbox: string, input: PinPolicyInput = {}): Promise<PolicyPin> {
    const expiresAt = normaliseTimestamp(input.expiresAt, 'expiresAt');
    const body = {
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
    };
    return this.#transport.call({ method: 'POST', path: pinPath(gateway, sandbox), body, idempotent: false, gateway, sandbox }, policyPinSchema);
  }

  /**
   * Removes the pin (operator).
   * @returns `true` when a pin was removed, `false` when there was none (the server's 404), so
   *   "make sure it is unpinned" needs no try/catch.
   */
  async unpin(gateway: string, sandbox: string): Promise<boolean> {
    const removed = await nullWhenNoPin(async () => {
      await this.#transport.call({ method: 'DELETE', path: pinPath(gateway, sandbox), idempotent: true, gateway, sandbox }, z.unknown());
      return true;
    });
    return removed ?? false;
  }
}

// "No active pin" is a 404 problem; an unknown route (wrong base URL) still throws.
async function nullWhenNoPin<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isShoreGuardError(error) && error.code === 'not_found' && !isUnknownRoute(error)) return null;
    throw error;
  }
}

function pinPath(gateway: string, sandbox: string): string {
  return apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/policy/pin`;
}
