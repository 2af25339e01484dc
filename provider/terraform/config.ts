/**
 * The `provider "shoreguard" {}` block: validation with attribute-path diagnostics, and the
 * mapping to SDK client options. Unset attributes fall back to the SDK's environment handling
 * (SHOREGUARD_URL, SHOREGUARD_TOKEN / SHOREGUARD_API_KEY).
 */
import { z } from 'zod';
import type { ShoreGuardClientOptions, ShoreGuardLogger } from '../../sdk/config';
import { type CtyObject, type CtyValue, isUnknown } from './cty';
import { type DiagnosticMessage, errorDiagnostic } from './diagnostics';

const seconds = z.number().positive('must be greater than 0').max(86_400, 'must be at most 86400 (one day)');
const pemText = z.string().refine((s) => s.includes('-----BEGIN '), 'must be PEM text (-----BEGIN …-----)');

// Messages never echo values: api_key, client_cert and client_key are secrets.
const configSchema = z.object({
  endpoint: z
    .string()
    .refine((s) => {
      try {
        const url = new URL(s);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'must be an http(s) base URL without credentials, query or fragment, e.g. https://shoreguard.example.com')
    .optional(),
  api_key: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'must be non-empty printable ASCII without spaces or line breaks')
    .optional(),
  ca_cert: pemText.optional(),
  client_cert: pemText.optional(),
  client_key: pemText.optional(),
  connect_timeout_seconds: seconds.optional(),
  request_timeout_seconds: seconds.optional(),
  max_retries: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(20, 'must be at most 20').optional(),
});

export type ProviderConfig = z.infer<typeof configSchema>;

function knownEntries(config: CtyObject): Record<string, CtyValue> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null && !isUnknown(v)));
}

/** Validates the known attributes of a provider block (unknown ones are checked at configure time). */
export function validateProviderConfig(config: CtyObject): DiagnosticMessage[] {
  const diagnostics: DiagnosticMessage[] = [];
  const result = configSchema.safeParse(knownEntries(config));
  if (!result.success) {
    for (const issue of result.error.issues) {
      const attribute = String(issue.path[0] ?? '');
      diagnostics.push(errorDiagnostic(`Invalid provider ${attribute}`, `provider "shoreguard" ${attribute}: ${issue.message}`, attribute || undefined));
    }
  }
  const hasCert = config['client_cert'] !== null && config['client_cert'] !== undefined;
  const hasKey = config['client_key'] !== null && config['client_key'] !== undefined;
  if (hasCert !== hasKey) {
    const missing = hasCert ? 'client_key' : 'client_cert';
    diagnostics.push(errorDiagnostic(`Missing provider ${missing}`, 'client_cert and client_key must be set together for mutual TLS to ShoreGuard.', missing));
  }
  return diagnostics;
}

/** Provider attributes whose values are unknown (derived from resources not yet created). */
export function unknownAttributes(config: CtyObject): string[] {
  return Object.entries(config)
    .filter(([, v]) => isUnknown(v))
    .map(([k]) => k);
}

/** Parses a validated, wholly known provider block. */
export function parseProviderConfig(config: CtyObject): ProviderConfig {
  return configSchema.parse(knownEntries(config));
}

/** SDK client options for a provider block; unset values defer to the SDK (and so to the environment). */
export function clientOptions(config: ProviderConfig, logger: ShoreGuardLogger, env: Readonly<Record<string, string | undefined>> = process.env): ShoreGuardClientOptions {
  const timeouts = {
    ...(config.connect_timeout_seconds === undefined ? {} : { connectMs: Math.round(config.connect_timeout_seconds * 1000) }),
    ...(config.request_timeout_seconds === undefined ? {} : { requestMs: Math.round(config.request_timeout_seconds * 1000) }),
  };
  const tls = {
    ...(config.ca_cert === undefined ? {} : { ca: config.ca_cert }),
    ...(config.client_cert === undefined ? {} : { cert: config.client_cert }),
    ...(config.client_key === undefined ? {} : { key: config.client_key }),
  };
  return {
    ...(config.endpoint === undefined ? {} : { url: config.endpoint }),
    ...(config.api_key === undefined ? {} : { token: config.api_key }),
    timeouts,
    tls,
    ...(config.max_retries === undefined ? {} : { retry: { maxAttempts: config.max_retries + 1 } }),
    userAgent: 'terraform-provider-shoreguard',
    logger,
    env,
  };
}
