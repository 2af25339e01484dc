/**
 * Client options and their resolution: explicit options first, then the environment, then
 * defaults. The result is a frozen {@link ResolvedConfig} in which secrets are {@link SecretValue}s.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { ConfigError } from './errors';
import { DEFAULT_RETRY_POLICY, type RetryClock, type RetryPolicy, SYSTEM_CLOCK } from './retry';
import { SecretValue } from './secret';
import { PACKAGE_VERSION } from './version';

/** Where the SDK reports warnings (and, optionally, retry notes). */
export interface ShoreGuardLogger {
  warn(message: string): void;
  /** Optional: called once per retry with a one-line note (no secrets). */
  debug?(message: string): void;
}

/** Timeouts of the HTTP transport. */
export interface TimeoutOptions {
  /**
   * TCP + TLS connect timeout.
   * @default 10000
   */
  readonly connectMs?: number;
  /**
   * Time budget of one attempt, from sending to the end of the response body.
   * @default 30000 (ShoreGuard's own CLI uses 30 s)
   */
  readonly requestMs?: number;
}

/** TLS settings, as PEM strings. */
export interface TlsOptions {
  /** Extra CA certificate(s) to trust. @default Node's bundled CAs */
  readonly ca?: string | readonly string[];
  /** Client certificate for mutual TLS. @default none */
  readonly cert?: string;
  /** Private key of `cert`. Treated as a secret. @default none */
  readonly key?: string;
  /** Verify the server certificate. @default true */
  readonly rejectUnauthorized?: boolean;
}

/** Options of {@link ShoreGuardClient}. */
export interface ShoreGuardClientOptions {
  /**
   * Base URL of ShoreGuard, e.g. `https://shoreguard.example.com` (a path prefix is kept).
   * @default env SHOREGUARD_URL, else `http://localhost:8888`
   */
  readonly url?: string;
  /**
   * Service-principal API key (`sg_…`), sent as `Authorization: Bearer`. Session tokens do not
   * work as Bearer (contract §2.1).
   * @default env SHOREGUARD_TOKEN, else env SHOREGUARD_API_KEY, else no key
   */
  readonly token?: string;
  /** @default `{ connectMs: 10000, requestMs: 30000 }` */
  readonly timeouts?: TimeoutOptions;
  /** @default Node's TLS defaults */
  readonly tls?: TlsOptions;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. `{ maxAttempts: 1 }` disables retries. */
  readonly retry?: Partial<RetryPolicy>;
  /** Appended to the `User-Agent` header, e.g. `my-pipeline/1.2`. @default none */
  readonly userAgent?: string;
  /** @default warnings go to `process.emitWarning` */
  readonly logger?: ShoreGuardLogger;
  /**
   * An undici Dispatcher to send requests through (e.g. a `MockAgent` in tests). The client does
   * not close a dispatcher it did not create. `timeouts.connectMs` and `tls` then do not apply.
   * @default a keep-alive undici `Pool` for the base URL's origin
   */
  readonly dispatcher?: Dispatcher;
  /** Environment to read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock of the retry loop; tests inject `sleep`/`random`/`now`. @default the real clock */
  readonly clock?: Partial<RetryClock>;
}

/** Fully resolved, validated and frozen options. */
export interface ResolvedConfig {
  /** Origin + path prefix, without a trailing slash. */
  readonly baseUrl: string;
  /** `protocol://host[:port]`. */
  readonly origin: string;
  /** Path prefix (`''` when none). */
  readonly basePath: string;
  readonly token: SecretValue | undefined;
  /** Where the token came from, for messages (never the value). */
  readonly tokenSource: 'option token' | 'SHOREGUARD_TOKEN' | 'SHOREGUARD_API_KEY' | undefined;
  readonly timeouts: Required<TimeoutOptions>;
  readonly tls: { readonly ca?: string | readonly string[]; readonly cert?: string; readonly key?: SecretValue; readonly rejectUnauthorized: boolean };
  readonly retry: RetryPolicy;
  readonly clock: RetryClock;
  /** Full `User-Agent` header value. */
  readonly userAgent: string;
  readonly logger: ShoreGuardLogger;
  readonly dispatcher: Dispatcher | undefined;
}

/** Default base URL, as in ShoreGuard's own CLI. */
export const DEFAULT_URL = 'http://localhost:8888';

const DEFAULT_TIMEOUTS: Required<TimeoutOptions> = { connectMs: 10_000, requestMs: 30_000 };

const positiveMs = z.number().int().positive().max(24 * 3_600_000);
const timeoutsSchema = z.object({ connectMs: positiveMs.optional(), requestMs: positiveMs.optional() }).strict();
const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).optional(),
    baseDelayMs: z.number().int().min(0).optional(),
    maxDelayMs: z.number().int().min(0).optional(),
    maxElapsedMs: z.number().int().min(0).optional(),
    retryOnStatus: z.array(z.number().int().min(100).max(599)).optional(),
    retryOnNetworkErrors: z.boolean().optional(),
    jitter: z.enum(['full', 'none']).optional(),
  })
  .strict();
const pem = z.string().min(1);
const tlsSchema = z
  .object({
    ca: z.union([pem, z.array(pem)]).optional(),
    cert: pem.optional(),
    key: pem.optional(),
    rejectUnauthorized: z.boolean().optional(),
  })
  .strict();
// Header values must not carry CR/LF (header injection) or other control characters.
const headerSafe = z.string().regex(/^[\x20-\x7e]+$/, 'must be printable ASCII without line breaks');

const defaultLogger: ShoreGuardLogger = {
  warn: (message) => process.emitWarning(message, { code: 'SHOREGUARD_INSECURE_TRANSPORT' }),
};

/** Resolves options + environment into a {@link ResolvedConfig}; throws {@link ConfigError}. */
export function resolveConfig(options: ShoreGuardClientOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const logger = options.logger ?? defaultLogger;

  const urlSource = options.url !== undefined ? 'option url' : nonEmpty(env['SHOREGUARD_URL']) ? 'SHOREGUARD_URL' : undefined;
  const rawUrl = options.url ?? nonEmpty(env['SHOREGUARD_URL']) ?? DEFAULT_URL;
  const { origin, basePath, hostname, protocol } = parseBaseUrl(rawUrl, urlSource ?? 'default url');

  const { token, tokenSource } = resolveToken(options, env);

  const timeouts = { ...DEFAULT_TIMEOUTS, ...check(timeoutsSchema, options.timeouts ?? {}, 'timeouts') };
  const retry: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY_POLICY, ...stripUndefined(check(retrySchema, options.retry ?? {}, 'retry')) });
  if (retry.maxDelayMs < retry.baseDelayMs) {
    throw new ConfigError('retry.maxDelayMs', `must be at least retry.baseDelayMs (${retry.baseDelayMs})`);
  }
  const tlsInput = check(tlsSchema, options.tls ?? {}, 'tls');
  if ((tlsInput.cert === undefined) !== (tlsInput.key === undefined)) {
    throw new ConfigError('tls', 'cert and key must be given together for mutual TLS');
  }
  const tls = {
    ...(tlsInput.ca === undefined ? {} : { ca: tlsInput.ca }),
    ...(tlsInput.cert === undefined ? {} : { cert: tlsInput.cert }),
    ...(tlsInput.key === undefined ? {} : { key: new SecretValue(tlsInput.key) }),
    rejectUnauthorized: tlsInput.rejectUnauthorized ?? true,
  };
  const suffix = options.userAgent === undefined ? undefined : check(headerSafe, options.userAgent, 'userAgent');

  if (token && protocol === 'http:' && !isLoopbackHost(hostname)) {
    logger.warn(
      `shoreguard-iac: the API key from ${tokenSource} would travel unencrypted over plain http to ${hostname}; use an https URL.`,
    );
  }

  return Object.freeze({
    baseUrl: `${origin}${basePath}`,
    origin,
    basePath,
    token,
    tokenSource,
    timeouts: Object.freeze(timeouts),
    tls: Object.freeze(tls),
    retry,
    clock: Object.freeze({ ...SYSTEM_CLOCK, ...stripUndefined(options.clock ?? {}) }),
    userAgent: `shoreguard-iac/${PACKAGE_VERSION} (+node/${process.versions.node})${suffix ? ` ${suffix}` : ''}`,
    logger,
    dispatcher: options.dispatcher,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function resolveToken(
  options: ShoreGuardClientOptions,
  env: Readonly<Record<string, string | undefined>>,
): { token: SecretValue | undefined; tokenSource: ResolvedConfig['tokenSource'] } {
  const candidates: [string | undefined, NonNullable<ResolvedConfig['tokenSource']>][] = [
    [options.token, 'option token'],
    [nonEmpty(env['SHOREGUARD_TOKEN']), 'SHOREGUARD_TOKEN'],
    [nonEmpty(env['SHOREGUARD_API_KEY']), 'SHOREGUARD_API_KEY'],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined) continue;
    // The message never includes the value: it is a secret.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      throw new ConfigError(source, 'the API key must be non-empty printable ASCII without spaces or line breaks');
    }
    return { token: new SecretValue(value), tokenSource: source };
  }
  return { token: undefined, tokenSource: undefined };
}

function parseBaseUrl(raw: string, source: string): { origin: string; basePath: string; hostname: string; protocol: string } {
  const fix = `expected an http(s) base URL such as ${DEFAULT_URL}`;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(source, `${JSON.stringify(describeUrl(raw))} is not a URL`, fix);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(source, `protocol ${url.protocol} is not supported`, fix);
  }
  if (url.username || url.password) {
    throw new ConfigError(source, 'credentials in the URL are not supported', 'Pass the API key as option `token` or SHOREGUARD_TOKEN.');
  }
  if (url.search || url.hash) {
    throw new ConfigError(source, 'a query string or fragment is not allowed in the base URL', fix);
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), hostname: url.hostname, protocol: url.protocol };
}

// Shows a bad URL in a message without any userinfo it may carry.
function describeUrl(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@').slice(0, 200);
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function check<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [option, ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(path, issue?.message ?? 'invalid value');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
