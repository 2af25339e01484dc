/**
 * Connection settings from Pulumi stack config (namespace `shoreguard`), falling back to the SDK's
 * environment variables (SHOREGUARD_URL, SHOREGUARD_TOKEN / SHOREGUARD_API_KEY) for anything unset.
 * The same keys as the Terraform provider block, camelCased:
 *
 * | key | meaning |
 * |---|---|
 * | `shoreguard:url` | base URL, e.g. https://shoreguard.example.com |
 * | `shoreguard:apiKey` (secret) | service-principal API key (`sg_…`) |
 * | `shoreguard:caCert` | PEM CA bundle trusted for ShoreGuard's TLS |
 * | `shoreguard:clientCert`, `shoreguard:clientKey` (secret) | mutual TLS to ShoreGuard |
 * | `shoreguard:connectTimeoutSeconds`, `shoreguard:requestTimeoutSeconds`, `shoreguard:maxRetries` | transport tuning |
 */
import { ConfigError, type ShoreGuardClientOptions } from '../../sdk';

export const CONFIG_NAMESPACE = 'shoreguard';

/** Reads one config value by its full key (`shoreguard:url`); `undefined` when unset. */
export type ConfigReader = (fullKey: string) => string | undefined;

function text(read: ConfigReader, key: string): string | undefined {
  const value = read(`${CONFIG_NAMESPACE}:${key}`);
  return value === undefined || value.trim() === '' ? undefined : value;
}

function numberAtLeast(read: ConfigReader, key: string, min: number): number | undefined {
  const value = text(read, key);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new ConfigError(`${CONFIG_NAMESPACE}:${key}`, `expected a number of at least ${min}, got ${JSON.stringify(value)}`);
  return parsed;
}

/** Client options from config; unset keys are left to the SDK (environment, then defaults). */
export function clientOptionsFromConfig(read: ConfigReader): ShoreGuardClientOptions {
  const url = text(read, 'url');
  const token = text(read, 'apiKey');
  const ca = text(read, 'caCert');
  const cert = text(read, 'clientCert');
  const key = text(read, 'clientKey');
  const connect = numberAtLeast(read, 'connectTimeoutSeconds', 0.001);
  const request = numberAtLeast(read, 'requestTimeoutSeconds', 0.001);
  const retries = numberAtLeast(read, 'maxRetries', 0);
  const timeouts = {
    ...(connect === undefined ? {} : { connectMs: Math.round(connect * 1000) }),
    ...(request === undefined ? {} : { requestMs: Math.round(request * 1000) }),
  };
  const tls = { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
  return {
    ...(url === undefined ? {} : { url }),
    ...(token === undefined ? {} : { token }),
    ...(Object.keys(timeouts).length === 0 ? {} : { timeouts }),
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
    // max retries counts retries; the SDK counts attempts (the first one included).
    ...(retries === undefined ? {} : { retry: { maxAttempts: Math.floor(retries) + 1 } }),
    userAgent: 'pulumi-dynamic-provider',
  };
}
