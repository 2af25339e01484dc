/**
 * Route table and request context. Each route declares what FastAPI would resolve before its
 * handler (JSON body, gateway scope, auth, minimum role, gateway client, input validation), and
 * the server runs those steps in the order of `REQUEST_PIPELINE` (§1.1).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../auth';
import type { FaultInjector } from '../faults';
import type { PydanticError, Reply } from '../core/http';
import type { PyValue } from '../core/python';
import type { SlidingWindowRateLimiter } from '../ratelimit';
import type { EmulatorState, Role } from '../state';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EmulatorSettings {
  localMode: boolean;
  version: string;
  /** OpenShell version the emulated gateways report. */
  gatewayVersion: string;
}

export interface RequestContext {
  readonly state: EmulatorState;
  readonly settings: EmulatorSettings;
  readonly faults: FaultInjector;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request had none. */
  readonly body: PyValue | undefined;
  readonly clientIp: string;
  readonly requestId: string;
  readonly writeLimiter: SlidingWindowRateLimiter | null;
  principal: Principal | null;
  /** The role `require_role` settled on (gateway override and group raise applied). */
  role: Role | null;
  /** The `{gw}` of a gateway-scoped route, after the name check. */
  gateway: string | null;
}

export interface RouteDefinition<Input> {
  method: HttpMethod;
  /** Path template, e.g. `/api/gateways/{gw}/sandboxes/{name}/policy/pin`. */
  path: string;
  /** `public` routes skip authentication (probes, /api/auth/check, login). */
  auth: 'public' | 'required';
  /** Mounted under `/api/gateways/{gw}`: name check before auth, role overrides apply. */
  gatewayScoped?: boolean;
  minRole?: Role;
  /** The handler takes a JSON body (so a non-JSON body is a 422 before anything else). */
  jsonBody?: boolean;
  /** Depends on `get_client`: 503 GATEWAY_NOT_CONNECTED unless registered and connected. */
  gatewayClient?: boolean;
  /** Path/query/body validation; push pydantic errors and return the typed input. */
  parse?: (context: RequestContext, errors: PydanticError[]) => Input;
  handle: (context: RequestContext, input: Input) => Reply | Promise<Reply>;
}

export interface CompiledRoute {
  definition: RouteDefinition<unknown>;
  pattern: RegExp;
  paramNames: string[];
}

/** Erases the input type so routes with different inputs share one table. */
export function defineRoute<Input>(definition: RouteDefinition<Input>): RouteDefinition<unknown> {
  return definition as unknown as RouteDefinition<unknown>;
}

function compile(definition: RouteDefinition<unknown>): CompiledRoute {
  const paramNames: string[] = [];
  const source = definition.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { definition, pattern: new RegExp(`^${source}$`), paramNames };
}

export type RouteMatch =
  | { kind: 'found'; route: CompiledRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; template: string }
  | { kind: 'not-found' };

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(definitions: Array<RouteDefinition<unknown>>) {
    this.routes = definitions.map(compile);
  }

  /**
   * Starlette semantics on the already percent-decoded path: the first route whose path and method
   * match wins; a path-only match is 405.
   */
  match(method: string, path: string): RouteMatch {
    let partial: CompiledRoute | null = null;
    for (const route of this.routes) {
      const result = route.pattern.exec(path);
      if (!result) continue;
      if (route.definition.method !== method) {
        partial ??= route;
        continue;
      }
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, index) => {
        params[name] = result[index + 1] ?? '';
      });
      return { kind: 'found', route, params };
    }
    return partial ? { kind: 'method-not-allowed', template: partial.definition.path } : { kind: 'not-found' };
  }
}

/** uvicorn hands Starlette a percent-decoded path. */
export function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}
