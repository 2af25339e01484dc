/** Helpers shared by the route modules. */
import { ProblemError, type PydanticError } from '../core/http';
import { validateParam, type FieldSpec } from '../core/validation';
import type { RequestContext } from '../http/router';
import { GRPC_NOT_FOUND_DETAIL } from '../quirks';
import type { PolicySnapshot, SandboxRecord } from '../state';

export const INT: FieldSpec = { kind: 'int' };

/** An `int` path parameter (`{user_id}`, `{hook_id}` …); 422 `int_parsing` otherwise. */
export function intPathParam(context: RequestContext, errors: PydanticError[], name: string): number {
  return (validateParam('path', name, INT, context.params[name], errors) as number | undefined) ?? Number.NaN;
}

/** An int query parameter with FastAPI `Query(default, ge=…, le=…)` bounds. */
export function intQueryParam(
  context: RequestContext,
  errors: PydanticError[],
  name: string,
  fallback: number,
  bounds: { ge?: number; le?: number },
): number {
  const raw = context.query.get(name) ?? undefined;
  const value = validateParam('query', name, { kind: 'int', ...bounds }, raw, errors, fallback);
  return (value as number | undefined) ?? fallback;
}

/** The authenticated caller's `request.state.user_id`. */
export function actorOf(context: RequestContext): string {
  return context.principal?.actor ?? 'unknown';
}

/** The gateway of a gateway-scoped route (set by the pipeline after the name check). */
export function gatewayOf(context: RequestContext): string {
  if (context.gateway === null) throw new Error('route is not gateway-scoped');
  return context.gateway;
}

/** The sandbox on the emulated OpenShell gateway; an unknown name is gRPC NOT_FOUND → 404. */
export function requireSandbox(context: RequestContext, name: string): SandboxRecord {
  const sandbox = context.state.findSandbox(gatewayOf(context), name);
  if (!sandbox) throw new ProblemError(404, GRPC_NOT_FOUND_DETAIL, { code: 'NOT_FOUND' });
  return sandbox;
}

/**
 * `GetSandboxPolicyStatus`: OpenShell answers NOT_FOUND both for an unknown sandbox and for one
 * without any policy revision (findings §3), so export, GET policy, apply and pin POST are 404.
 */
export function requirePolicySnapshot(context: RequestContext, name: string): { sandbox: SandboxRecord; snapshot: PolicySnapshot } {
  const sandbox = requireSandbox(context, name);
  if (!context.state.latestRevision(sandbox)) throw new ProblemError(404, GRPC_NOT_FOUND_DETAIL, { code: 'NOT_FOUND' });
  return { sandbox, snapshot: context.state.snapshot(sandbox) };
}

/** `key:value` label filters (`?label=a:b&label=c:d`), AND-combined. */
export function parseLabelFilters(items: string[]): Record<string, string> | null {
  if (items.length === 0) return null;
  const filters: Record<string, string> = {};
  for (const item of items) {
    if (!item.includes(':') || item.startsWith(':')) {
      throw new ProblemError(400, `Invalid label filter '${item}': expected key:value`);
    }
    const index = item.indexOf(':');
    filters[item.slice(0, index)] = item.slice(index + 1);
  }
  return filters;
}

export function labelsMatch(labels: Record<string, string>, filters: Record<string, string> | null): boolean {
  if (!filters) return true;
  return Object.entries(filters).every(([key, value]) => labels[key] === value);
}
