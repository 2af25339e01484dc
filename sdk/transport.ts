/**
 * The one HTTP core every API area uses: a keep-alive undici Pool for the base URL's origin, auth
 * and identification headers, JSON bodies, `X-Request-ID` capture, the retry loop and the mapping
 * of failures to typed errors.
 */
import { randomBytes } from 'node:crypto';
import { type Dispatcher, Pool } from 'undici';
import type { z } from 'zod';
import type { ResolvedConfig } from './config';
import { type ErrorContext, InvalidResponseError, ShoreGuardError, TransportError, errorFromResponse } from './errors';
import { type AttemptFailure, decideRetry, parseRetryAfter } from './retry';
import { type Redactor, createRedactor } from './secret';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query parameters; arrays repeat the key (`label=a:1&label=b:2`), undefined values are skipped. */
export type QueryParams = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** One API call, as the areas describe it. */
export interface RequestSpec extends ErrorContext {
  readonly method: HttpMethod;
  /** Path below the base URL, starting with `/`, segments already encoded (use {@link apiPath}). */
  readonly path: string;
  readonly query?: QueryParams;
  /** Sent as JSON when defined. */
  readonly body?: unknown;
  /** Whether repeating the call cannot change the outcome; decides retries (see retry.ts). */
  readonly idempotent: boolean;
  /** Non-2xx statuses returned as responses instead of thrown (e.g. 409/423 for policy apply). */
  readonly acceptStatus?: readonly number[];
  /** Extra secrets sent in this call (e.g. a client key in a body), redacted from errors. */
  readonly secrets?: readonly string[];
}

/** A response the caller accepted (2xx or listed in `acceptStatus`). */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, the text when not JSON, `undefined` when empty. */
  readonly body: unknown;
  /** The server's `X-Request-ID`, else the one the client sent. */
  readonly requestId: string;
  readonly attempts: number;
}

const ACCEPT = 'application/json, application/problem+json';

/**
 * Encodes each interpolated value as one path segment: `apiPath\`/api/gateway/${name}/info\``.
 * `:` and `@` stay readable (valid in a segment, RFC 3986), so chunk ids like `policy.apply:ab12`
 * look as the server logs them.
 */
export function apiPath(strings: TemplateStringsArray, ...segments: readonly (string | number)[]): string {
  return strings.reduce((path, literal, index) => {
    const segment = index < segments.length ? encodeSegment(String(segments[index])) : '';
    return path + literal + segment;
  }, '');
}

function encodeSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') {
    // An empty or dot segment would silently address another route.
    throw new ShoreGuardError({ code: 'validation', summary: `invalid path segment ${JSON.stringify(segment)}: names must be non-empty and not "." or "..".` });
  }
  return encodeURIComponent(segment).replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

function buildQuery(query: QueryParams | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Sends requests for one ShoreGuard base URL. Create one per client; call {@link close} at the end. */
export class Transport {
  readonly baseUrl: string;
  readonly #config: ResolvedConfig;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #redact: Redactor;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.baseUrl = config.baseUrl;
    this.#redact = createRedactor([config.token, config.tls.key]);
    this.#ownsDispatcher = config.dispatcher === undefined;
    this.#dispatcher = config.dispatcher ?? this.#createPool();
  }

  /** Whether an API key is configured. */
  get hasToken(): boolean {
    return this.#config.token !== undefined;
  }

  #createPool(): Pool {
    const { tls, timeouts } = this.#config;
    return new Pool(this.#config.origin, {
      connect: {
        ...(tls.ca === undefined ? {} : { ca: typeof tls.ca === 'string' ? tls.ca : [...tls.ca] }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
        rejectUnauthorized: tls.rejectUnauthorized,
        timeout: timeouts.connectMs,
      },
      headersTimeout: timeouts.requestMs,
      bodyTimeout: timeouts.requestMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Sends a call with retries; returns 2xx/accepted responses and throws a typed error otherwise. */
  async send(spec: RequestSpec): Promise<ApiResponse> {
    const { retry, clock, logger } = this.#config;
    const redact = this.#redactorFor(spec);
    const fullPath = `${this.#config.basePath}${spec.path}`;
    // One id per logical call, so every retry of it can be found in the server's logs.
    const sentRequestId = randomBytes(8).toString('hex');
    const startedAt = clock.now();

    for (let attempt = 1; ; attempt++) {
      let failure: AttemptFailure;
      let error: ShoreGuardError;
      try {
        const response = await this.#attempt(spec, fullPath, sentRequestId);
        const requestId = headerValue(response.headers['x-request-id']) ?? sentRequestId;
        const accepted = (response.status >= 200 && response.status < 300) || spec.acceptStatus?.includes(response.status);
        if (accepted) return { ...response, requestId, attempts: attempt };
        const retryAfterMs = parseRetryAfter(response.headers['retry-after'], clock.now());
        failure = { kind: 'status', status: response.status, retryAfterMs };
        error = this.#errorFor({ ...response, requestId, attempts: attempt }, spec, retryAfterMs, redact);
      } catch (cause) {
        failure = { kind: 'network' };
        error = this.#transportError(cause, spec, fullPath, sentRequestId, attempt, redact);
      }

      const decision = decideRetry({ policy: retry, idempotent: spec.idempotent, attempt, elapsedMs: clock.now() - startedAt, failure, random: clock.random });
      if (!decision.retry) throw error;
      logger.debug?.(
        redact(`shoreguard-iac: retrying ${spec.method} ${fullPath} after ${describeFailure(failure)} in ${decision.delayMs} ms (attempt ${attempt + 1}/${retry.maxAttempts})`),
      );
      await clock.sleep(decision.delayMs);
    }
  }

  /** The typed error for a response the caller accepted but cannot use (e.g. a 409 that is not a lock conflict). */
  errorFor(response: ApiResponse, spec: RequestSpec): ShoreGuardError {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.#config.clock.now());
    return this.#errorFor(response, spec, retryAfterMs, this.#redactorFor(spec));
  }

  #errorFor(response: ApiResponse, spec: RequestSpec, retryAfterMs: number | undefined, redact: Redactor): ShoreGuardError {
    return errorFromResponse({
      status: response.status,
      body: response.body,
      method: spec.method,
      path: `${this.#config.basePath}${spec.path}`,
      requestId: response.requestId,
      attempts: response.attempts,
      retryAfterMs,
      hasToken: this.hasToken,
      redact,
      ...context(spec),
    });
  }

  #redactorFor(spec: RequestSpec): Redactor {
    return spec.secrets?.length ? createRedactor([this.#config.token, this.#config.tls.key, ...spec.secrets]) : this.#redact;
  }

  /** {@link send}, then validates the body with a zod schema (the wire → camelCase mapping). */
  async call<T>(spec: RequestSpec, schema: z.ZodType<T>): Promise<T> {
    const response = await this.send(spec);
    return this.parse(response, schema, spec);
  }

  /** Validates an accepted response body; throws {@link InvalidResponseError} on a mismatch. */
  parse<T>(response: ApiResponse, schema: z.ZodType<T>, spec: RequestSpec): T {
    const result = schema.safeParse(response.body);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
    const first = issues[0];
    throw new InvalidResponseError({
      code: 'invalid_response',
      summary: `returned ${response.status} with a body that does not match the ShoreGuard contract (${first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'unknown'}).`,
      hint: 'The server may run an unsupported ShoreGuard version; compare it with the contract in reference/shoreguard-api.md.',
      status: response.status,
      method: spec.method,
      path: `${this.#config.basePath}${spec.path}`,
      requestId: response.requestId,
      attempts: response.attempts,
      redact: this.#redactorFor(spec),
      issues,
      ...context(spec),
    });
  }

  async #attempt(spec: RequestSpec, fullPath: string, requestId: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
    const headers: Record<string, string> = {
      accept: ACCEPT,
      'user-agent': this.#config.userAgent,
      'x-request-id': requestId,
    };
    if (this.#config.token) headers['authorization'] = `Bearer ${this.#config.token.reveal()}`;
    let payload: string | undefined;
    if (spec.body !== undefined) {
      payload = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    const response = await this.#dispatcher.request({
      origin: this.#config.origin,
      path: `${fullPath}${buildQuery(spec.query)}`,
      method: spec.method,
      headers,
      body: payload ?? null,
      signal: AbortSignal.timeout(this.#config.timeouts.requestMs),
    });
    // Always drain the body, so the keep-alive connection returns to the pool.
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body: parseBody(text) };
  }

  #transportError(cause: unknown, spec: RequestSpec, fullPath: string, requestId: string, attempts: number, redact: Redactor): TransportError {
    const causeCode = errorCode(cause);
    const timedOut = isTimeout(cause);
    const neverSent = causeCode !== undefined && NOT_SENT_CODES.has(causeCode);
    const reason = timedOut ? `timed out after ${this.#config.timeouts.requestMs} ms` : `${causeCode ?? 'network error'}: ${cause instanceof Error ? cause.message : String(cause)}`;
    return new TransportError({
      code: 'transport',
      summary: `got no response from ${this.#config.origin} (${reason}).`,
      hint: transportHint(spec.idempotent, !neverSent, timedOut, this.#config.timeouts.requestMs),
      method: spec.method,
      path: fullPath,
      requestId,
      attempts,
      cause,
      redact,
      causeCode,
      timedOut,
      requestMayHaveReachedServer: !neverSent,
      ...context(spec),
    });
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}

// Errors raised before a request byte left the machine.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function context(spec: ErrorContext): ErrorContext {
  return { ...(spec.gateway === undefined ? {} : { gateway: spec.gateway }), ...(spec.sandbox === undefined ? {} : { sandbox: spec.sandbox }) };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorCode(cause: unknown): string | undefined {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return code;
  const nested = cause instanceof Error ? cause.cause : undefined;
  return nested === undefined ? undefined : errorCode(nested);
}

function isTimeout(cause: unknown): boolean {
  const name = cause instanceof Error || cause instanceof DOMException ? cause.name : undefined;
  return name === 'TimeoutError' || errorCode(cause) === 'UND_ERR_HEADERS_TIMEOUT' || errorCode(cause) === 'UND_ERR_BODY_TIMEOUT';
}

function describeFailure(failure: AttemptFailure): string {
  return failure.kind === 'network' ? 'a network error' : `HTTP ${failure.status}`;
}

/**
 * What to do after a request got no answer. A write that may have reached the server is the case
 * that matters: it may have landed, so the caller must re-read before trying again.
 */
function transportHint(idempotent: boolean, mayHaveReachedServer: boolean, timedOut: boolean, requestMs: number): string {
  if (!idempotent && mayHaveReachedServer) {
    return 'This write may have been applied before the connection failed: re-read the object (e.g. export the policy, get the pin) before trying again.';
  }
  if (timedOut) return `The server did not answer in time; check it is healthy, or raise timeouts.requestMs (now ${requestMs}).`;
  return 'Check the URL (option `url` / SHOREGUARD_URL), that ShoreGuard is running and reachable, and the TLS settings.';
}
