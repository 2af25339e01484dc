import { z } from 'zod';
import { flag, nullableString, stringMap } from './common';

/** When a boot hook runs. */
export type BootHookPhase = 'pre_create' | 'post_create';

/** A sandbox boot hook (contract §8). */
export interface BootHook {
  readonly id: number;
  readonly gatewayName: string;
  readonly sandboxName: string;
  readonly name: string;
  readonly phase: string;
  readonly command: string;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly order: number;
  readonly enabled: boolean;
  readonly continueOnFailure: boolean;
  readonly createdBy: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly lastRunAt: string | null;
  readonly lastStatus: string | null;
  readonly lastOutput: string | null;
}

export const bootHookSchema: z.ZodType<BootHook> = z
  .object({
    id: z.number().int(),
    gateway_name: z.string(),
    sandbox_name: z.string(),
    name: z.string(),
    phase: z.string(),
    command: z.string(),
    workdir: z.string().nullish().transform((v) => v ?? ''),
    env: stringMap,
    timeout_seconds: z.number().int(),
    order: z.number().int().nullish().transform((v) => v ?? 0),
    enabled: z.boolean().nullish().transform((v) => v ?? true),
    continue_on_failure: flag,
    created_by: nullableString,
    created_at: nullableString,
    updated_at: nullableString,
    last_run_at: nullableString,
    last_status: nullableString,
    last_output: nullableString,
  })
  .loose()
  .transform((w) => ({
    id: w.id,
    gatewayName: w.gateway_name,
    sandboxName: w.sandbox_name,
    name: w.name,
    phase: w.phase,
    command: w.command,
    workdir: w.workdir,
    env: w.env,
    timeoutSeconds: w.timeout_seconds,
    order: w.order,
    enabled: w.enabled,
    continueOnFailure: w.continue_on_failure,
    createdBy: w.created_by,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
    lastRunAt: w.last_run_at,
    lastStatus: w.last_status,
    lastOutput: w.last_output,
  }));

/** `{"items": [...]}` from list and reorder. */
export const bootHookListSchema: z.ZodType<readonly BootHook[]> = z
  .object({ items: z.array(bootHookSchema) })
  .loose()
  .transform((w) => w.items);

/** Input of `bootHooks.create` (server defaults in `@default`). */
export interface CreateBootHookInput {
  /** 1..128 chars; unique per gateway + sandbox + phase. */
  readonly name: string;
  readonly phase: BootHookPhase;
  /** 1..8192 chars. */
  readonly command: string;
  /** @default server: '' */
  readonly workdir?: string;
  /** @default server: {} */
  readonly env?: Readonly<Record<string, string>>;
  /** 1..600. @default server: 30 */
  readonly timeoutSeconds?: number;
  /** @default server: after the existing hooks of the phase */
  readonly order?: number;
  /** @default server: true */
  readonly enabled?: boolean;
  /** @default server: false */
  readonly continueOnFailure?: boolean;
}

export const CREATE_HOOK_WIRE = {
  name: 'name',
  phase: 'phase',
  command: 'command',
  workdir: 'workdir',
  env: 'env',
  timeoutSeconds: 'timeout_seconds',
  order: 'order',
  enabled: 'enabled',
  continueOnFailure: 'continue_on_failure',
} as const;

/** Input of `bootHooks.update`: only keys present change; `name`/`phase` cannot change. */
export interface UpdateBootHookInput {
  readonly command?: string;
  readonly workdir?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutSeconds?: number;
  readonly order?: number;
  readonly enabled?: boolean;
  readonly continueOnFailure?: boolean;
}

export const UPDATE_HOOK_WIRE = {
  command: 'command',
  workdir: 'workdir',
  env: 'env',
  timeoutSeconds: 'timeout_seconds',
  order: 'order',
  enabled: 'enabled',
  continueOnFailure: 'continue_on_failure',
} as const;

/** `POST …/hooks/{id}/run` (runs synchronously on the server). */
export interface BootHookRunResult {
  readonly hookId: number;
  readonly name: string | null;
  readonly phase: string | null;
  /** `success` | `failure`. */
  readonly status: string;
  readonly summary: string | null;
  /** ≤ 4096 chars. */
  readonly output: string | null;
}

export const bootHookRunResultSchema: z.ZodType<BootHookRunResult> = z
  .object({
    hook_id: z.number().int(),
    name: nullableString,
    phase: nullableString,
    status: z.string(),
    summary: nullableString,
    output: nullableString,
  })
  .loose()
  .transform((w) => ({ hookId: w.hook_id, name: w.name, phase: w.phase, status: w.status, summary: w.summary, output: w.output }));

