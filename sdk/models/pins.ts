import { z } from 'zod';
import { nullableString } from './common';

/** An active policy pin (contract §7; exactly these 7 keys on the wire). */
export interface PolicyPin {
  readonly gatewayName: string;
  readonly sandboxName: string;
  /** The gateway's active policy revision when the pin was set (0 = no revision). */
  readonly pinnedVersion: number;
  /** Actor id: user email, `sp:<name>` or `no-auth`. */
  readonly pinnedBy: string | null;
  readonly reason: string | null;
  readonly pinnedAt: string | null;
  /** `null` = until unpinned. */
  readonly expiresAt: string | null;
}

export const policyPinSchema: z.ZodType<PolicyPin> = z
  .object({
    gateway_name: z.string(),
    sandbox_name: z.string(),
    pinned_version: z.number().int(),
    pinned_by: nullableString,
    reason: nullableString,
    pinned_at: nullableString,
    expires_at: nullableString,
  })
  .loose()
  .transform((w) => ({
    gatewayName: w.gateway_name,
    sandboxName: w.sandbox_name,
    pinnedVersion: w.pinned_version,
    pinnedBy: w.pinned_by,
    reason: w.reason,
    pinnedAt: w.pinned_at,
    expiresAt: w.expires_at,
  }));

/** Input of `pins.pin`. POST is an upsert: pinning again replaces reason, expiry and version. */
export interface PinPolicyInput {
  readonly reason?: string | null;
  /**
   * When the pin lapses. A Date, or an ISO-8601 date-time string (checked locally: the server
   * answers an unparseable value with a 500). Past values are accepted and expire at once.
   */
  readonly expiresAt?: string | Date | null;
}
