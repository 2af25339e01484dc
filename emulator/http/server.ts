/**
 * The HTTP front door: fault injection and latency, ShoreGuard's middleware (body-size limit,
 * global rate limit, request id), routing, and the per-route dependency pipeline of §1.1.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { authenticate, effectiveRole, hasRole } from '../auth';
import {
  JSON_CONTENT_TYPE,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  RequestValidationError,
  jsonReply,
  type PydanticError,
  type Reply,
  UnhandledServerError,
} from '../core/http';
import { PythonTypeError, type PyValue } from '../core/python';
import type { FaultInjector, TerminalFault } from '../faults';
import { TldWildcardError } from '../policy/model';
import {
  GLOBAL_RATE_LIMIT_BODY,
  GLOBAL_RATE_LIMIT_EXEMPT_PATHS,
  INVALID_CONTENT_LENGTH_BODY,
  INVALID_GATEWAY_NAME,
  MAX_REQUEST_BODY_BYTES,
  METHOD_NOT_ALLOWED_BODY,
  PROBLEM_TYPE,
  REQUEST_PIPELINE,
  ROUTE_NOT_FOUND_BODY,
  UNAUTHORIZED_DETAIL,
  UNAUTHORIZED_HEADERS,
  UNHANDLED_ERROR_DETAIL,
  UNHANDLED_ERROR_HAS_REQUEST_ID_HEADER,
  bodyTooLargeBody,
  gatewayNotConnectedDetail,
  isValidGatewayName,
  jsonInvalidError,
  problemCodeForStatus,
  problemTitle,
} from '../quirks';
import type { SlidingWindowRateLimiter } from '../ratelimit';
import type { EmulatorState } from '../state';
import { decodePath, type CompiledRoute, type EmulatorSettings, type RequestContext, type Router } from './router';

/** Request counts per "METHOD /route/template" (control-API calls are not counted). */
export class RequestStats {
  requests = 0;
  byRoute: Record<string, number> = {};

  count(key: string): void {
    this.requests += 1;
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
  }

  snapshot(): { requests: number; byRoute: Record<string, number> } {
    return { requests: this.requests, byRoute: { ...this.byRoute } };
  }

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
  }
}

export interface ServerDependencies {
  state: EmulatorState;
  settings: EmulatorSettings;
  faults: FaultInjector;
  router: Router;
  /** Routes under `/__emulator`, served without faults, stats or rate limits. */
  controlRouter: Router;
  globalLimiter: SlidingWindowRateLimiter | null;
  writeLimiter: SlidingWindowRateLimiter | null;
  latencyMs: number;
  stats: RequestStats;
}

interface BufferedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  rawBody: Buffer;
}

export const CONTROL_PREFIX = '/__emulator';

function problemBody(status: number, detail: string, code: string, requestId: string, extra: Record<string, unknown> = {}): object {
  return { type: PROBLEM_TYPE, title: problemTitle(code), status, detail, code, request_id: requestId, ...extra };
}

function problemReply(status: number, detail: string, requestId: string, code = problemCodeForStatus(status), headers = {}): Reply {
  return { status, body: problemBody(status, detail, code, requestId), contentType: PROBLEM_CONTENT_TYPE, headers };
}

/** Maps anything a handler throws to the response ShoreGuard's exception handlers would send. */
export function errorToReply(error: unknown, requestId: string): Reply {
  if (error instanceof ProblemError) return problemReply(error.status, error.detail, requestId, error.code, error.headers);
  if (error instanceof RequestValidationError) {
    return {
      status: 422,
      body: problemBody(422, 'Validation error', 'VALIDATION_ERROR', requestId, { errors: error.errors }),
      contentType: PROBLEM_CONTENT_TYPE,
    };
  }
  // A subclass of a domain error is looked up by exact type and misses: 500 with its message.
  if (error instanceof TldWildcardError) return problemReply(500, error.message, requestId, 'INTERNAL_ERROR');
  if (!(error instanceof PythonTypeError) && !(error instanceof UnhandledServerError)) {
    process.emitWarning(`shoreguard emulator: unhandled error: ${error instanceof Error ? error.stack : String(error)}`);
  }
  return {
    ...problemReply(500, UNHANDLED_ERROR_DETAIL, requestId, 'INTERNAL_ERROR'),
    withoutRequestIdHeader: !UNHANDLED_ERROR_HAS_REQUEST_ID_HEADER,
  };
}

/** Python's `json.JSONDecodeError.pos`, recovered from V8's message where it says. */
function jsonErrorPosition(error: unknown, text: string): number {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  if (/end of (JSON )?input/i.test(message)) return text.length;
  return 0;
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const [type, subtype = ''] = mediaType.split('/');
  return type === 'application' && (subtype === 'json' || subtype.endsWith('+json'));
}

/** FastAPI's body reading: JSON when the content type allows it, the raw text otherwise, nothing when empty. */
function readJsonBody(request: BufferedRequest, headers: IncomingMessage['headers']): PyValue | undefined {
  if (request.rawBody.length === 0) return undefined;
  const text = request.rawBody.toString('utf8');
  if (!isJsonContentType(headers['content-type'])) return text;
  try {
    return JSON.parse(text) as PyValue;
  } catch (error) {
    throw new RequestValidationError([jsonInvalidError(jsonErrorPosition(error, text)) as PydanticError]);
  }
}

async function runPipeline(
  route: CompiledRoute,
  params: Record<string, string>,
  request: BufferedRequest,
  incoming: IncomingMessage,
  requestId: string,
  deps: ServerDependencies,
): Promise<Reply> {
  const definition = route.definition;
  const context: RequestContext = {
    state: deps.state,
    settings: deps.settings,
    faults: deps.faults,
    method: request.method,
    path: request.path,
    params,
    query: request.query,
    headers: incoming.headers,
    body: undefined,
    clientIp: incoming.socket.remoteAddress ?? 'unknown',
    requestId,
    writeLimiter: deps.writeLimiter,
    principal: null,
    role: null,
    gateway: null,
  };
  let input: unknown;
  for (const step of REQUEST_PIPELINE) {
    switch (step) {
      case 'read-json-body':
        if (definition.jsonBody) (context as { body: PyValue | undefined }).body = readJsonBody(request, incoming.headers);
        break;
      case 'gateway-name':
        if (definition.gatewayScoped) {
          const gateway = params['gw'] ?? '';
          if (!isValidGatewayName(gateway)) throw new ProblemError(400, INVALID_GATEWAY_NAME);
          context.gateway = gateway;
        }
        break;
      case 'authenticate':
        if (definition.auth === 'required') {
          context.principal = authenticate(deps.state, incoming.headers);
          if (!context.principal) throw new ProblemError(401, UNAUTHORIZED_DETAIL, { headers: { ...UNAUTHORIZED_HEADERS } });
          context.role = context.principal.role;
        }
        break;
      case 'require-role':
        if (definition.minRole && context.principal) {
          context.role = effectiveRole(deps.state, context.principal, context.gateway);
          if (!hasRole(context.role, definition.minRole)) throw new ProblemError(403, `Requires ${definition.minRole} role`);
        }
        break;
      case 'gateway-client':
        if (definition.gatewayClient && context.gateway !== null && !deps.state.isGatewayConnected(context.gateway)) {
          throw new ProblemError(503, gatewayNotConnectedDetail(context.gateway), { code: 'GATEWAY_NOT_CONNECTED' });
        }
        break;
      case 'validate-input': {
        const errors: PydanticError[] = [];
        input = definition.parse ? definition.parse(context, errors) : undefined;
        if (errors.length > 0) throw new RequestValidationError(errors);
        break;
      }
      case 'handler':
        return definition.handle(context, input);
    }
  }
  throw new Error('request pipeline ended without reaching the handler');
}

function faultReply(fault: Extract<TerminalFault, { kind: 'status' }>, requestId: string): Reply {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  switch (fault.status) {
    case 429:
      return jsonReply(429, GLOBAL_RATE_LIMIT_BODY, { 'retry-after': '1', ...headers });
    case 502:
      return jsonReply(502, { detail: 'Bad Gateway' }, headers);
    case 503:
      return problemReply(503, 'Service temporarily unavailable (injected fault)', requestId, 'SERVICE_UNAVAILABLE', headers);
    case 504:
      return problemReply(504, 'Gateway timeout (injected fault)', requestId, 'TIMEOUT', headers);
    default:
      return problemReply(500, UNHANDLED_ERROR_DETAIL, requestId, 'INTERNAL_ERROR', headers);
  }
}

function send(response: ServerResponse, reply: Reply, requestId: string | null): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (requestId !== null && !reply.withoutRequestIdHeader) headers['x-request-id'] = requestId;
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
  headers['content-type'] = reply.contentType ?? JSON_CONTENT_TYPE;
  headers['content-length'] = String(payload.length);
  response.writeHead(reply.status, headers);
  response.end(payload);
}

function parseTarget(incoming: IncomingMessage): Omit<BufferedRequest, 'rawBody'> {
  const url = new URL(incoming.url ?? '/', 'http://emulator.invalid');
  return { method: (incoming.method ?? 'GET').toUpperCase(), path: decodePath(url.pathname), query: url.searchParams };
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('error', reject);
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** ShoreGuard's body-size middleware: only the Content-Length header is looked at. */
function contentLengthReply(incoming: IncomingMessage): Reply | null {
  const header = incoming.headers['content-length'];
  if (header === undefined) return null;
  if (!/^\s*\d+\s*$/.test(header)) return jsonReply(400, INVALID_CONTENT_LENGTH_BODY);
  if (Number(header) > MAX_REQUEST_BODY_BYTES) {
    return jsonReply(413, bodyTooLargeBody(MAX_REQUEST_BODY_BYTES), { connection: 'close' });
  }
  return null;
}

async function handle(incoming: IncomingMessage, response: ServerResponse, deps: ServerDependencies): Promise<void> {
  const target = parseTarget(incoming);
  const requestId = (incoming.headers['x-request-id'] as string | undefined) || randomBytes(8).toString('hex');

  if (target.path === CONTROL_PREFIX || target.path.startsWith(`${CONTROL_PREFIX}/`)) {
    const request = { ...target, rawBody: await readBody(incoming) };
    send(response, await dispatch(deps.controlRouter, request, incoming, requestId, deps), requestId);
    return;
  }

  const match = deps.router.match(target.method, target.path);
  const template = match.kind === 'found' ? match.route.definition.path : match.kind === 'method-not-allowed' ? match.template : null;
  deps.stats.count(`${target.method} ${template ?? '(unmatched)'}`);

  const fault = deps.faults.take({ method: target.method, path: target.path, template });
  const latency = deps.latencyMs + fault.latencyMs;
  if (latency > 0) await delay(latency);
  if (fault.terminal?.kind === 'drop') {
    incoming.socket.destroy();
    return;
  }
  if (fault.terminal?.kind === 'status') {
    send(response, faultReply(fault.terminal, requestId), requestId);
    return;
  }

  // Middleware order (§1.1): body size, then the global rate limit, then request id and routing.
  const tooLarge = contentLengthReply(incoming);
  if (tooLarge) {
    send(response, tooLarge, null);
    return;
  }
  if (deps.globalLimiter && !GLOBAL_RATE_LIMIT_EXEMPT_PATHS.has(target.path)) {
    const retryAfter = deps.globalLimiter.hit(incoming.socket.remoteAddress ?? 'unknown');
    if (retryAfter !== null) {
      // The global limiter runs outside the request-id middleware: no X-Request-ID header.
      send(response, jsonReply(429, GLOBAL_RATE_LIMIT_BODY, { 'retry-after': String(retryAfter) }), null);
      return;
    }
  }

  const request = { ...target, rawBody: await readBody(incoming) };
  const result = await dispatch(deps.router, request, incoming, requestId, deps);
  if (fault.terminal?.kind === 'lose-response') {
    incoming.socket.destroy();
    return;
  }
  send(response, result, requestId);
}

async function dispatch(
  router: Router,
  request: BufferedRequest,
  incoming: IncomingMessage,
  requestId: string,
  deps: ServerDependencies,
): Promise<Reply> {
  const match = router.match(request.method, request.path);
  if (match.kind === 'not-found') return jsonReply(404, ROUTE_NOT_FOUND_BODY);
  if (match.kind === 'method-not-allowed') return jsonReply(405, METHOD_NOT_ALLOWED_BODY);
  try {
    return await runPipeline(match.route, match.params, request, incoming, requestId, deps);
  } catch (error) {
    return errorToReply(error, requestId);
  }
}

export function createRequestListener(deps: ServerDependencies): (incoming: IncomingMessage, response: ServerResponse) => void {
  return (incoming, response) => {
    handle(incoming, response, deps).catch((error: unknown) => {
      // A client that went away mid-request needs no answer.
      if (incoming.destroyed || response.destroyed) return;
      if (!response.headersSent) send(response, errorToReply(error, 'emulator'), null);
      else response.destroy();
    });
  };
}
