import { z } from 'zod';
import { nullableString } from './common';

/** `GET /healthz` (unauthenticated). */
export interface HealthStatus {
  /** e.g. `ok`; `null` if the server sent an object without `status`. */
  readonly status: string | null;
  /** The body as received (a text body is kept as `{ text }`). */
  readonly raw: Readonly<Record<string, unknown>>;
}

// The probe's body is not pinned down by the contract: accept JSON or plain text.
export const healthSchema: z.ZodType<HealthStatus> = z.union([
  z.string().transform((text) => ({ status: text.trim() || null, raw: { text } })),
  z
    .object({ status: nullableString })
    .loose()
    .transform((w) => ({ status: w.status, raw: w as Record<string, unknown> })),
]);

/** `GET /version` (unauthenticated). */
export interface ServerVersion {
  readonly version: string | null;
  readonly raw: Readonly<Record<string, unknown>>;
}

export const versionSchema: z.ZodType<ServerVersion> = z.union([
  z.string().transform((text) => ({ version: text.trim() || null, raw: { text } })),
  z
    .object({ version: nullableString })
    .loose()
    .transform((w) => ({ version: w.version, raw: w as Record<string, unknown> })),
]);
