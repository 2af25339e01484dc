/**
 * Every failure of the SDK is a {@link ShoreGuardError} with a stable `code`. Branch on `code` (or
 * on the subclass), never on message text. Messages say what failed (method + path + status), the
 * server's detail, and what to do about it. Secrets are redacted before any text is stored, so no
 * message, stack, `toString`, `toJSON` or `util.inspect` output can hold an API key.
 */
import { inspect } from 'node:util';
import { z } from 'zod';
import { type Redactor, createRedactor, redactDeep } from './secret';

/** Stable error codes. */
export type ShoreGuardErrorCode =
  /** 401: missing, wrong or expired API key. */
  | 'auth'
  /** 403: the principal's role is too low. */
  | 'forbidden'
  /** 404 (and 405): the resource or route does not exist. */
  | 'not_found'
  /** 409: duplicate or conflicting state (not the GitOps version lock). */
  | 'conflict'
  /** 409 `version_mismatch` from policy apply: the live policy hash differs from the expected one. */
  | 'version_conflict'
  /** 423: the sandbox policy is pinned. */
  | 'pinned'
  /** 429: rate limited. */
  | 'rate_limited'
  /** 400/413/422 and other 4xx, or input rejected locally before sending. */
  | 'validation'
  /** 5xx. */
  | 'server'
  /** No HTTP response: connection refused, DNS, TLS, timeout, reset. */
  | 'transport'
  /** Bad client options or environment. */
  | 'config'
  /** A success response whose body does not match the contract. */
  | 'invalid_response';

/** Where an error happened, as far as the SDK knows. */
export interface ErrorContext {
  readonly gateway?: string;
  readonly sandbox?: string;
}

/** Constructor input of {@link ShoreGuardError}. */
export interface ShoreGuardErrorOptions extends ErrorContext {
  readonly code: ShoreGuardErrorCode;
  /** What happened, one sentence. */
  readonly summary: string;
  /** What to do about it. */
  readonly hint?: string;
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;
  readonly requestId?: string;
  readonly detail?: string;
  readonly serverCode?: string;
  readonly attempts?: number;
  readonly cause?: unknown;
  /** Applied to every text the error stores. Defaults to redacting ShoreGuard key shapes only. */
  readonly redact?: Redactor;
}

const ERROR_BRAND = Symbol.for('shoreguard-iac.error');
const DEFAULT_REDACT = createRedactor([]);

/** The base class of every SDK error. */
export class ShoreGuardError extends Error {
  override readonly name: string = 'ShoreGuardError';
  /** Stable code; see {@link ShoreGuardErrorCode}. */
  readonly code: ShoreGuardErrorCode;
  /** HTTP status, or `undefined` when no response was received or the input was rejected locally. */
  readonly status: number | undefined;
  readonly method: string | undefined;
  /** Request path (no origin, no query). */
  readonly path: string | undefined;
  /** The server's `X-Request-ID` (or the one the client sent), for correlating with server logs. */
  readonly requestId: string | undefined;
  /** The server's `detail`, always as text (dict details arrive as Python repr strings). */
  readonly detail: string | undefined;
  /** The server's own `code` field (e.g. `PERMISSION_DENIED`, `GATEWAY_NOT_CONNECTED`), if any. */
  readonly serverCode: string | undefined;
  readonly gateway: string | undefined;
  readonly sandbox: string | undefined;
  /** How many attempts were made (retries included). */
  readonly attempts: number | undefined;
  /** What to do about it. */
  readonly hint: string | undefined;
  readonly [ERROR_BRAND] = true;

  constructor(options: ShoreGuardErrorOptions) {
    const redact = options.redact ?? DEFAULT_REDACT;
    super(redact(composeMessage(options)), options.cause === undefined ? undefined : { cause: redactCause(options.cause, redact) });
    this.code = options.code;
    this.status = options.status;
    this.method = options.method;
    this.path = options.path === undefined ? undefined : redact(options.path);
    this.requestId = options.requestId;
    this.detail = options.detail === undefined ? undefined : redact(options.detail);
    this.serverCode = options.serverCode;
    this.gateway = options.gateway;
    this.sandbox = options.sandbox;
    this.attempts = options.attempts;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
  }

  /** Plain data for logs and reports; holds no secrets. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      requestId: this.requestId,
      detail: this.detail,
      serverCode: this.serverCode,
      gateway: this.gateway,
      sandbox: this.sandbox,
      attempts: this.attempts,
      hint: this.hint,
      ...this.extraJson(),
    };
  }

  /** Subclass fields added to {@link toJSON}. */
  protected extraJson(): Record<string, unknown> {
    return {};
  }

  [inspect.custom](_depth: number, options: object): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${inspect(this.toJSON(), { ...options, depth: 4 })}`;
  }
}

/** True for any SDK error, even from another copy of this package. */
export function isShoreGuardError(value: unknown): value is ShoreGuardError {
  return typeof value === 'object' && value !== null && (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === true;
}

function composeMessage(options: ShoreGuardErrorOptions): string {
  const where = options.method && options.path ? `${options.method} ${options.path} ` : '';
  const hint = options.hint ? ` ${options.hint}` : '';
  const requestId = options.requestId ? ` [request id ${options.requestId}]` : '';
  return `${where}${options.summary}${hint}${requestId}`;
}

// The cause is replaced by a redacted copy: undici errors or user callbacks could carry secrets.
function redactCause(cause: unknown, redact: Redactor): Error {
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    copy.stack = `${copy.name}: ${copy.message}`;
    return copy;
  }
  return new Error(redact(String(cause)));
}

/** 409 `version_mismatch` from `POST …/policy/apply`, when thrown instead of returned as an outcome. */
export class VersionConflictError extends ShoreGuardError {
  override readonly name = 'VersionConflictError';
  /** The live policy hash. */
  readonly currentHash: string | null;
  /** The hash the request expected (`expected_version` or `metadata.policy_hash`). */
  readonly expectedVersion: string | null;

  constructor(options: ShoreGuardErrorOptions & { currentHash: string | null; expectedVersion: string | null }) {
    super(options);
    this.currentHash = options.currentHash;
    this.expectedVersion = options.expectedVersion;
  }

  protected override extraJson(): Record<string, unknown> {
    return { currentHash: this.currentHash, expectedVersion: this.expectedVersion };
  }
}

/** What the 423 detail says about the pin ("Policy is pinned at version 5 by alice. Unpin first."). */
export interface PinDetail {
  readonly pinnedVersion: number | null;
  readonly pinnedBy: string | null;
}

/** 423: the sandbox policy is pinned. */
export class PinnedError extends ShoreGuardError implements PinDetail {
  override readonly name = 'PinnedError';
  readonly pinnedVersion: number | null;
  readonly pinnedBy: string | null;

  constructor(options: ShoreGuardErrorOptions & PinDetail) {
    super(options);
    this.pinnedVersion = options.pinnedVersion;
    this.pinnedBy = options.pinnedBy;
  }

  protected override extraJson(): Record<string, unknown> {
    return { pinnedVersion: this.pinnedVersion, pinnedBy: this.pinnedBy };
  }
}

/** 429, after the retry policy gave up (or decided not to retry). */
export class RateLimitedError extends ShoreGuardError {
  override readonly name = 'RateLimitedError';
  /** The server's `Retry-After`, in whole seconds, when it sent one. */
  readonly retryAfterSeconds: number | null;

  constructor(options: ShoreGuardErrorOptions & { retryAfterSeconds: number | null }) {
    super(options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  protected override extraJson(): Record<string, unknown> {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** One field error: pydantic's shape from a 422 (`ctx` removed by the server), or a local check. */
export interface ValidationIssue {
  readonly type: string;
  /** Location, e.g. `["body", "endpoint"]`. */
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  /** The rejected input as echoed by the server (secrets redacted). */
  readonly input?: unknown;
}

/** Parsed from the 400 `merge_unsupported` detail (a Python repr string, contract §10.8). */
export interface MergeUnsupportedInfo {
  readonly reason: string | null;
  readonly hint: string | null;
}

/** 400/422 (and other 4xx), or input the SDK rejected before sending (then `status` is undefined). */
export class ValidationError extends ShoreGuardError {
  override readonly name = 'ValidationError';
  /** Field errors as data (empty when the server sent only a `detail` string). */
  readonly issues: readonly ValidationIssue[];
  /** Set when a merge-mode apply cannot express the change; retry with `mode: 'replace'`. */
  readonly mergeUnsupported: MergeUnsupportedInfo | null;

  constructor(options: ShoreGuardErrorOptions & { issues?: readonly ValidationIssue[]; mergeUnsupported?: MergeUnsupportedInfo | null }) {
    super(options);
    const redact = options.redact ?? DEFAULT_REDACT;
    this.issues = (options.issues ?? []).map((issue) => redactDeep(issue, redact) as ValidationIssue);
    this.mergeUnsupported = options.mergeUnsupported ?? null;
  }

  protected override extraJson(): Record<string, unknown> {
    return { issues: this.issues, mergeUnsupported: this.mergeUnsupported };
  }
}

/** No HTTP response was received. */
export class TransportError extends ShoreGuardError {
  override readonly name = 'TransportError';
  /** The underlying error code, e.g. `ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`. */
  readonly causeCode: string | undefined;
  /** The per-attempt request timeout (`timeouts.requestMs`) fired. */
  readonly timedOut: boolean;
  /**
   * False only when the request certainly never reached the server (connection refused, DNS,
   * connect timeout). When true after a write, the write may have happened: re-read and decide.
   */
  readonly requestMayHaveReachedServer: boolean;

  constructor(options: ShoreGuardErrorOptions & { causeCode: string | undefined; timedOut: boolean; requestMayHaveReachedServer: boolean }) {
    super(options);
    this.causeCode = options.causeCode;
    this.timedOut = options.timedOut;
    this.requestMayHaveReachedServer = options.requestMayHaveReachedServer;
  }

  protected override extraJson(): Record<string, unknown> {
    return { causeCode: this.causeCode, timedOut: this.timedOut, requestMayHaveReachedServer: this.requestMayHaveReachedServer };
  }
}

/** Bad client options or environment variables. */
export class ConfigError extends ShoreGuardError {
  override readonly name = 'ConfigError';
  /** The option path or environment variable at fault, e.g. `timeouts.connectMs` or `SHOREGUARD_URL`. */
  readonly option: string;

  constructor(option: string, problem: string, hint?: string) {
    super({ code: 'config', summary: `invalid ${option}: ${problem}.`, ...(hint === undefined ? {} : { hint }) });
    this.option = option;
  }

  protected override extraJson(): Record<string, unknown> {
    return { option: this.option };
  }
}

/** A response that does not match the contract (zod issues as data). */
export class InvalidResponseError extends ShoreGuardError {
  override readonly name = 'InvalidResponseError';
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];

  constructor(options: ShoreGuardErrorOptions & { issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }) {
    super(options);
    this.issues = options.issues.map((issue) => ({ path: [...issue.path], message: issue.message }));
  }

  protected override extraJson(): Record<string, unknown> {
    return { issues: this.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })) };
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping an HTTP error response to an error
// ---------------------------------------------------------------------------------------------

// Tolerant on purpose: bodies are problem+json, plain {"detail"}, the GitOps 409 shape, or text.
const errorBodySchema = z
  .object({
    status: z.union([z.number(), z.string()]).optional().catch(undefined),
    detail: z.unknown().optional(),
    code: z.string().optional().catch(undefined),
    request_id: z.string().optional().catch(undefined),
    errors: z.array(z.unknown()).optional().catch(undefined),
    current_hash: z.string().nullish().catch(undefined),
    expected_version: z.string().nullish().catch(undefined),
  })
  .loose();

const issueSchema = z
  .object({
    type: z.string().catch('unknown'),
    loc: z.array(z.union([z.string(), z.number()])).catch([]),
    msg: z.string().catch(''),
    input: z.unknown().optional(),
  })
  .loose();

/** Everything {@link errorFromResponse} needs to know about a failed response. */
export interface ErrorResponse extends ErrorContext {
  readonly status: number;
  /** Parsed JSON body, or the raw text when it was not JSON, or undefined when empty. */
  readonly body: unknown;
  readonly method: string;
  readonly path: string;
  readonly requestId: string | undefined;
  readonly attempts: number;
  /** From `Retry-After`, already parsed. */
  readonly retryAfterMs: number | undefined;
  /** Whether the client sent an API key (changes the 401 hint). */
  readonly hasToken: boolean;
  readonly redact: Redactor;
}

const MAX_TEXT_DETAIL = 500;

/** Turns a non-success response into the matching typed error. */
export function errorFromResponse(response: ErrorResponse): ShoreGuardError {
  const parsed = typeof response.body === 'object' && response.body !== null ? errorBodySchema.safeParse(response.body) : undefined;
  const body = parsed?.success ? parsed.data : undefined;
  const detail = detailText(body ? body.detail : response.body);
  const base = {
    status: response.status,
    method: response.method,
    path: response.path,
    requestId: body?.request_id ?? response.requestId,
    attempts: response.attempts,
    redact: response.redact,
    ...(detail === undefined ? {} : { detail }),
    ...(body?.code === undefined ? {} : { serverCode: body.code }),
    ...(response.gateway === undefined ? {} : { gateway: response.gateway }),
    ...(response.sandbox === undefined ? {} : { sandbox: response.sandbox }),
  };
  const said = (label: string): string => `failed with ${response.status} (${label})${detail ? `: ${detail}` : ''}.`;
  const { status } = response;

  if (status === 401) {
    const hint = response.hasToken
      ? 'Check the API key (option `token`, env SHOREGUARD_TOKEN or SHOREGUARD_API_KEY): it must be a valid, unexpired service-principal key (sg_…); session cookies/tokens are not accepted as Bearer.'
      : 'No API key is configured; pass option `token` or set SHOREGUARD_TOKEN to a service-principal key (sg_…).';
    return new ShoreGuardError({ ...base, code: 'auth', summary: said('auth'), hint });
  }
  if (status === 403) {
    return new ShoreGuardError({ ...base, code: 'forbidden', summary: said('forbidden'), hint: forbiddenHint(detail, response.gateway) });
  }
  if (status === 404 || status === 405) {
    const unknownRoute = isUnknownRouteBody(body?.code, detail);
    const hint = unknownRoute
      ? 'The server has no such route; check the base URL (option `url` / SHOREGUARD_URL) and the ShoreGuard version.'
      : `Check that the resource exists${contextText(response)}.`;
    return new ShoreGuardError({ ...base, code: 'not_found', summary: said('not_found'), hint });
  }
  if (status === 409 && body?.status === 'version_mismatch') {
    const currentHash = body.current_hash ?? null;
    const expectedVersion = body.expected_version ?? null;
    return new VersionConflictError({
      ...base,
      code: 'version_conflict',
      summary: `failed with 409 (version_conflict): the live policy hash is ${currentHash ?? 'unknown'}, the request expected ${expectedVersion ?? 'unknown'}.`,
      hint: 'The live policy changed since the file was exported; re-export (or re-plan against the live policy) and apply again.',
      currentHash,
      expectedVersion,
    });
  }
  if (status === 409) {
    return new ShoreGuardError({
      ...base,
      code: 'conflict',
      summary: said('conflict'),
      hint: 'The resource already exists or is in a conflicting state; read the current state and reconcile (e.g. adopt or rename).',
    });
  }
  if (status === 423) {
    const pin = parsePinDetail(detail);
    const target = response.sandbox ? `Sandbox '${response.sandbox}'${response.gateway ? ` on gateway '${response.gateway}'` : ''}` : 'The sandbox';
    return new PinnedError({
      ...base,
      ...pin,
      code: 'pinned',
      summary: said('pinned'),
      hint: `${target} is pinned; unpin it (client.pins.unpin) or wait for the pin to expire, then retry.`,
    });
  }
  if (status === 429) {
    const retryAfterSeconds = response.retryAfterMs === undefined ? null : Math.ceil(response.retryAfterMs / 1000);
    return new RateLimitedError({
      ...base,
      code: 'rate_limited',
      summary: said('rate_limited'),
      hint: retryAfterSeconds === null ? 'Slow down and retry later.' : `Retry after ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    });
  }
  if (status >= 400 && status < 500) {
    const issues = (body?.errors ?? []).map((raw) => issueSchema.parse(raw));
    const mergeUnsupported = parseMergeUnsupported(body ? body.detail : undefined);
    const issueText = issues.map((issue) => `${issue.loc.join('.')}: ${issue.msg}`).join('; ');
    const summary = mergeUnsupported
      ? `failed with ${status} (validation): merge_unsupported: ${mergeUnsupported.reason ?? 'mode=merge cannot express this change'}.`
      : issueText
        ? `failed with ${status} (validation): ${issueText}.`
        : said('validation');
    const hint = mergeUnsupported
      ? `${mergeUnsupported.hint ?? "Retry with mode 'replace'"}.`
      : 'Fix the request fields named above and retry.';
    return new ValidationError({ ...base, code: 'validation', summary, hint, issues, mergeUnsupported });
  }
  const hint =
    body?.code === 'GATEWAY_NOT_CONNECTED'
      ? `The gateway${response.gateway ? ` '${response.gateway}'` : ''} is registered but not connected; check its status (client.gateways.info), endpoint and certificates.`
      : `Server error; retry later, and if it persists look up the request id in ShoreGuard's logs.`;
  return new ShoreGuardError({ ...base, code: 'server', summary: said('server'), hint });
}

/**
 * True for Starlette's own 404/405 (`{"detail":"Not Found"}` without a `code`): the route does not
 * exist, as opposed to a missing resource. Lets "absent → null" helpers avoid hiding a wrong URL.
 */
export function isUnknownRoute(error: ShoreGuardError): boolean {
  return error.code === 'not_found' && isUnknownRouteBody(error.serverCode, error.detail);
}

function isUnknownRouteBody(serverCode: string | undefined, detail: string | undefined): boolean {
  return serverCode === undefined && (detail === 'Not Found' || detail === 'Method Not Allowed');
}

function detailText(detail: unknown): string | undefined {
  if (detail === undefined || detail === null || detail === '') return undefined;
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  return text.length > MAX_TEXT_DETAIL ? `${text.slice(0, MAX_TEXT_DETAIL)}…` : text;
}

function contextText(context: ErrorContext): string {
  if (context.gateway && context.sandbox) return ` (gateway '${context.gateway}', sandbox '${context.sandbox}')`;
  if (context.gateway) return ` (gateway '${context.gateway}')`;
  return '';
}

function forbiddenHint(detail: string | undefined, gateway: string | undefined): string {
  const role = /Requires (admin|operator|viewer) role/i.exec(detail ?? '')?.[1]?.toLowerCase();
  if (!role) return 'The principal is not allowed to do this; use an API key with a sufficient role.';
  if (!gateway) return `Needs role ${role}: use an API key whose service principal has that role.`;
  return `Needs role ${role} on gateway '${gateway}': use an API key whose service principal has that role, globally or as a gateway role on '${gateway}'.`;
}

/** Parses "Policy is pinned at version 5 by alice@example.com. Unpin first." */
export function parsePinDetail(detail: string | undefined): PinDetail {
  const match = /pinned at version (\d+) by (.+?)\.\s*Unpin first/i.exec(detail ?? '');
  return { pinnedVersion: match?.[1] ? Number(match[1]) : null, pinnedBy: match?.[2] ?? null };
}

/**
 * Reads the merge_unsupported detail. The server flattens a dict into its Python repr
 * (`{'status': 'merge_unsupported', 'reason': "…", 'hint': "…"}`); ShoreGuard's docs show a JSON
 * object instead. Both are accepted.
 */
export function parseMergeUnsupported(detail: unknown): MergeUnsupportedInfo | null {
  if (typeof detail === 'object' && detail !== null) {
    const record = detail as Record<string, unknown>;
    if (record['status'] !== 'merge_unsupported') return null;
    return {
      reason: typeof record['reason'] === 'string' ? record['reason'] : null,
      hint: typeof record['hint'] === 'string' ? record['hint'] : null,
    };
  }
  if (typeof detail !== 'string' || !detail.includes('merge_unsupported')) return null;
  const fields = parsePythonStringDict(detail);
  return { reason: fields['reason'] ?? null, hint: fields['hint'] ?? null };
}

// Matches `'key': 'value'` or `'key': "value"` pairs of a Python dict repr with str values.
const PY_REPR_PAIR = /'([A-Za-z_][A-Za-z0-9_]*)'\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;

function parsePythonStringDict(repr: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of repr.matchAll(PY_REPR_PAIR)) {
    const key = match[1] as string;
    out[key] = unescapePythonRepr(match[2] ?? match[3] ?? '');
  }
  return out;
}

function unescapePythonRepr(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_whole, esc: string) => {
    switch (esc[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default:
        return esc;
    }
  });
}
