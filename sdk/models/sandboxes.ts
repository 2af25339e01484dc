import { z } from 'zod';
import { nullableNumber, nullableString, stringMap } from './common';

/**
 * A sandbox as listed by ShoreGuard. The SDK models only the keys it relies on; everything the
 * server sends is kept in `raw` (the sandbox shape follows the OpenShell version behind the gateway).
 */
export interface Sandbox {
  readonly name: string;
  readonly id: string | null;
  readonly phase: string | null;
  readonly currentPolicyVersion: number | null;
  readonly labels: Readonly<Record<string, string>>;
  /** The wire object as received. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export const sandboxSchema: z.ZodType<Sandbox> = z
  .object({
    name: z.string(),
    id: z.union([z.string(), z.number()]).nullish().transform((v) => (v === undefined || v === null ? null : String(v))),
    phase: nullableString,
    current_policy_version: nullableNumber,
    // Labels are optional and their shape is not in the contract; a surprise must not fail listing.
    labels: stringMap.catch({}),
  })
  .loose()
  .transform((w) => ({
    name: w.name,
    id: w.id,
    phase: w.phase,
    currentPolicyVersion: w.current_policy_version,
    labels: w.labels,
    raw: w as Record<string, unknown>,
  }));

/** One page of `GET /api/gateways/{gw}/sandboxes`. */
export interface SandboxPage {
  readonly items: readonly Sandbox[];
  /** The server sends `null` here (no count). */
  readonly total: number | null;
}

export const sandboxPageSchema: z.ZodType<SandboxPage> = z
  .object({ items: z.array(sandboxSchema), total: nullableNumber })
  .loose()
  .transform((w) => ({ items: w.items, total: w.total }));

/** Paging of `sandboxes.list`. */
export interface ListSandboxesOptions {
  /** 1..1000. @default server: 100 */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
  /** Every label must match (`label=k:v`). */
  readonly labels?: Readonly<Record<string, string>>;
}
