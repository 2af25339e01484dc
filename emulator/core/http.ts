/**
 * Replies and typed errors shared by every handler. A handler returns a `Reply` and throws
 * `ProblemError` / `RequestValidationError` for error responses; the server turns both into
 * ShoreGuard's RFC 9457 bodies.
 */
import { problemCodeForStatus } from '../quirks';

/** Response headers, lower-case names. */
export type HeaderMap = Record<string, string>;

export interface Reply {
  status: number;
  /** JSON body; undefined means an empty body (204). */
  body?: unknown;
  contentType?: string;
  headers?: HeaderMap;
  /** Answered outside ShoreGuard's request-id middleware: no `X-Request-ID` header. */
  withoutRequestIdHeader?: boolean;
}

export const JSON_CONTENT_TYPE = 'application/json';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function jsonReply(status: number, body: unknown, headers?: HeaderMap): Reply {
  return { status, body, contentType: JSON_CONTENT_TYPE, ...(headers ? { headers } : {}) };
}

export function emptyReply(status: number): Reply {
  return { status };
}

/** An error answered as problem+json; `code` defaults to ShoreGuard's status map (§1.2). */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: HeaderMap;

  constructor(status: number, detail: string, options: { code?: string; headers?: HeaderMap } = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.code = options.code ?? problemCodeForStatus(status);
    this.headers = options.headers ?? {};
  }

  get detail(): string {
    return this.message;
  }
}

/**
 * A Python exception no exception handler catches (a ValueError, a response-model validation
 * failure, …): Starlette's ServerErrorMiddleware answers it as 500 "Internal server error".
 */
export class UnhandledServerError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnhandledServerError';
  }
}

/** One pydantic error object (`ctx` already removed, as ShoreGuard does). */
export interface PydanticError {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
}

/** FastAPI's RequestValidationError: a 422 with `detail: "Validation error"` and `errors`. */
export class RequestValidationError extends Error {
  readonly errors: PydanticError[];

  constructor(errors: PydanticError[]) {
    super('Validation error');
    this.name = 'RequestValidationError';
    this.errors = errors;
  }
}
