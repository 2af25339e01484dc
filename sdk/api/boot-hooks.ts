import { z } from 'zod';
import { toWire } from '../models/common';
import {
  type BootHook,
  type BootHookPhase,
  type BootHookRunResult,
  CREATE_HOOK_WIRE,
  type CreateBootHookInput,
  UPDATE_HOOK_WIRE,
  type UpdateBootHookInput,
  bootHookListSchema,
  bootHookRunResultSchema,
  bootHookSchema,
} from '../models/hooks';
import { type Transport, apiPath } from '../transport';

/** Sandbox boot hooks: `/api/gateways/{gw}/sandboxes/{name}/hooks`. Writes need admin. */
export class BootHooksApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists hooks ordered by phase, order, id; optionally of one phase. */
  async list(gateway: string, sandbox: string, options: { readonly phase?: BootHookPhase } = {}): Promise<readonly BootHook[]> {
    return this.#transport.call(
      { method: 'GET', path: hooksPath(gateway, sandbox), query: { phase: options.phase }, idempotent: true, gateway, sandbox },
      bootHookListSchema,
    );
  }

  /** Reads one hook. @throws ShoreGuardError `not_found` (also for a hook of another sandbox). */
  async get(gateway: string, sandbox: string, id: number): Promise<BootHook> {
    return this.#transport.call({ method: 'GET', path: hookPath(gateway, sandbox, id), idempotent: true, gateway, sandbox }, bootHookSchema);
  }

  /** Creates a hook (the server answers 200). @throws ShoreGuardError `validation` for a duplicate name (400). */
  async create(gateway: string, sandbox: string, input: CreateBootHookInput): Promise<BootHook> {
    return this.#transport.call(
      { method: 'POST', path: hooksPath(gateway, sandbox), body: toWire(input, CREATE_HOOK_WIRE), idempotent: false, gateway, sandbox },
      bootHookSchema,
    );
  }

  /** Changes the fields present in `patch` (name and phase are fixed). */
  async update(gateway: string, sandbox: string, id: number, patch: UpdateBootHookInput): Promise<BootHook> {
    return this.#transport.call(
      { method: 'PUT', path: hookPath(gateway, sandbox, id), body: toWire(patch, UPDATE_HOOK_WIRE), idempotent: true, gateway, sandbox },
      bootHookSchema,
    );
  }

  /** Deletes a hook (204). @throws ShoreGuardError `not_found`. */
  async delete(gateway: string, sandbox: string, id: number): Promise<void> {
    await this.#transport.call({ method: 'DELETE', path: hookPath(gateway, sandbox, id), idempotent: true, gateway, sandbox }, z.unknown());
  }

  /**
   * Sets the order of a phase's hooks; `hookIds` must be exactly that phase's ids, first runs first.
   * @returns the reordered hooks.
   */
  async reorder(gateway: string, sandbox: string, phase: BootHookPhase, hookIds: readonly number[]): Promise<readonly BootHook[]> {
    return this.#transport.call(
      {
        method: 'POST',
        path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/hooks/reorder`,
        body: { phase, hook_ids: hookIds },
        idempotent: false,
        gateway,
        sandbox,
      },
      bootHookListSchema,
    );
  }

  /** Runs a hook now, synchronously on the server (operator). Never retried: it has side effects. */
  async run(gateway: string, sandbox: string, id: number): Promise<BootHookRunResult> {
    return this.#transport.call(
      { method: 'POST', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/hooks/${id}/run`, idempotent: false, gateway, sandbox },
      bootHookRunResultSchema,
    );
  }
}

function hooksPath(gateway: string, sandbox: string): string {
  return apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/hooks`;
}

function hookPath(gateway: string, sandbox: string, id: number): string {
  return apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/hooks/${id}`;
}
