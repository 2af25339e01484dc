import { z } from 'zod';
import { flag, jsonObject, nullableBoolean, nullableString, stringMap } from './common';

/** A registered gateway (contract §4.2). */
export interface Gateway {
  readonly name: string;
  /** `host:port`. */
  readonly endpoint: string;
  readonly scheme: string | null;
  readonly authMode: string | null;
  readonly hasCaCert: boolean;
  readonly hasClientCert: boolean;
  readonly hasClientKey: boolean;
  /** `{}` when none. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly description: string | null;
  /** `{}` when none. */
  readonly labels: Readonly<Record<string, string>>;
  readonly registeredAt: string | null;
  readonly lastSeen: string | null;
  /** `unknown`, a health status such as `healthy`, or `unreachable`. */
  readonly lastStatus: string | null;
  /** `docker` | `kubernetes` | `libkrun`, from `metadata.runtime`. */
  readonly runtime: string | null;
  readonly connected: boolean;
  /** `connected` | `unreachable` | `offline`. */
  readonly status: string | null;
  /** `true` from `info`; `null` from register/update/list. */
  readonly configured: boolean | null;
  /** Gateway version, from `info` when connected; else `null`. */
  readonly version: string | null;
}

export const gatewaySchema: z.ZodType<Gateway> = z
  .object({
    name: z.string(),
    endpoint: z.string(),
    scheme: nullableString,
    auth_mode: nullableString,
    has_ca_cert: flag,
    has_client_cert: flag,
    has_client_key: flag,
    metadata: jsonObject,
    description: nullableString,
    labels: stringMap,
    registered_at: nullableString,
    last_seen: nullableString,
    last_status: nullableString,
    runtime: nullableString,
    connected: flag,
    status: nullableString,
    configured: nullableBoolean,
    version: nullableString,
  })
  .loose()
  .transform((w) => ({
    name: w.name,
    endpoint: w.endpoint,
    scheme: w.scheme,
    authMode: w.auth_mode,
    hasCaCert: w.has_ca_cert,
    hasClientCert: w.has_client_cert,
    hasClientKey: w.has_client_key,
    metadata: w.metadata,
    description: w.description,
    labels: w.labels,
    registeredAt: w.registered_at,
    lastSeen: w.last_seen,
    lastStatus: w.last_status,
    runtime: w.runtime,
    connected: w.connected,
    status: w.status,
    configured: w.configured,
    version: w.version,
  }));

/** `GET /api/gateway/list`. */
export interface GatewayList {
  readonly items: readonly Gateway[];
  readonly total: number;
}

export const gatewayListSchema: z.ZodType<GatewayList> = z
  .object({ items: z.array(gatewaySchema), total: z.number().int().nullish() })
  .loose()
  .transform((w) => ({ items: w.items, total: w.total ?? w.items.length }));

/** `DELETE /api/gateway/{name}`. */
export interface GatewayDeleted {
  readonly success: boolean;
  readonly name: string;
}

export const gatewayDeletedSchema: z.ZodType<GatewayDeleted> = z
  .object({ success: z.boolean(), name: z.string() })
  .loose()
  .transform((w) => ({ success: w.success, name: w.name }));

/** Input of `gateways.register` (contract §4.1). Optional keys that are undefined are not sent. */
export interface RegisterGatewayInput {
  /** `^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$`. */
  readonly name: string;
  /** `host:port`, no scheme; must not be private/loopback unless the server runs in local mode. */
  readonly endpoint: string;
  /** Informational. @default server: 'https' */
  readonly scheme?: 'http' | 'https';
  /** Informational. @default server: 'mtls' */
  readonly authMode?: 'mtls' | 'api_key' | 'none' | 'insecure' | null;
  /** Base64 of the CA certificate (PEM or DER bytes), ≤ 64 KiB decoded. */
  readonly caCert?: string | null;
  /** Base64 of the client certificate. */
  readonly clientCert?: string | null;
  /** Base64 of the client private key. Treated as a secret (redacted from errors). */
  readonly clientKey?: string | null;
  /** `metadata.runtime` must be docker | kubernetes | libkrun when present. */
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** ≤ 1000 chars. */
  readonly description?: string | null;
  /** ≤ 20 entries. */
  readonly labels?: Readonly<Record<string, string>> | null;
}

export const REGISTER_GATEWAY_WIRE = {
  name: 'name',
  endpoint: 'endpoint',
  scheme: 'scheme',
  authMode: 'auth_mode',
  caCert: 'ca_cert',
  clientCert: 'client_cert',
  clientKey: 'client_key',
  metadata: 'metadata',
  description: 'description',
  labels: 'labels',
} as const;

/**
 * Input of `gateways.update` (PATCH): only keys present are sent. `null` clears `description`;
 * `null` or `{}` clears `labels`. Endpoint and certificates cannot change (re-register instead).
 */
export interface UpdateGatewayInput {
  readonly description?: string | null;
  readonly labels?: Readonly<Record<string, string>> | null;
}

export const UPDATE_GATEWAY_WIRE = { description: 'description', labels: 'labels' } as const;

/** Filters of `gateways.list`. */
export interface ListGatewaysOptions {
  /** Every label must match (AND). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly runtime?: 'docker' | 'kubernetes' | 'libkrun';
}
