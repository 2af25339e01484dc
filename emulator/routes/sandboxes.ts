/** Sandbox reads under `/api/gateways/{gw}/sandboxes` (served by the emulated OpenShell gateway). */
import { jsonReply } from '../core/http';
import { defineRoute } from '../http/router';
import type { EmulatorState, SandboxRecord } from '../state';
import { gatewayOf, intQueryParam, labelsMatch, parseLabelFilters, requireSandbox } from './common';

const READY_PHASE = { name: 'ready', code: 2 } as const;

/**
 * `_sandbox_to_dict` of 0.40.0 (OpenShell ObjectMeta: no namespace, a resource_version) plus the
 * metadata ShoreGuard merges in (image, gpu, description), in its key order (findings D5).
 */
function sandboxDict(state: EmulatorState, sandbox: SandboxRecord): Record<string, unknown> {
  return {
    id: sandbox.id,
    name: sandbox.name,
    labels: {},
    phase: READY_PHASE.name,
    phase_code: READY_PHASE.code,
    created_at_ms: sandbox.createdAtMs,
    resource_version: sandbox.resourceVersion,
    current_policy_version: state.latestRevision(sandbox)?.version ?? 0,
    image: null,
    gpu: false,
    description: null,
  };
}

/** `SandboxResponse` (extra="allow"): declared fields first, then the remaining keys. */
function sandboxResponse(fields: Record<string, unknown>): Record<string, unknown> {
  const declared = ['name', 'status', 'image', 'gpu', 'description', 'labels', 'current_policy_version'];
  const body: Record<string, unknown> = {};
  for (const key of declared) body[key] = fields[key] ?? null;
  for (const [key, value] of Object.entries(fields)) if (!declared.includes(key)) body[key] = value;
  return body;
}

export const sandboxRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/gateways/{gw}/sandboxes',
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    parse: (context, errors) => ({
      limit: intQueryParam(context, errors, 'limit', 100, { ge: 1, le: 1000 }),
      offset: intQueryParam(context, errors, 'offset', 0, { ge: 0 }),
    }),
    handle: (context, page: { limit: number; offset: number }) => {
      const filters = parseLabelFilters(context.query.getAll('label'));
      const sandboxes = [...(context.state.sandboxes.get(gatewayOf(context))?.values() ?? [])];
      const items = sandboxes
        .slice(page.offset, page.offset + page.limit)
        .map((sandbox) => sandboxDict(context.state, sandbox))
        .filter((item) => labelsMatch(item['labels'] as Record<string, string>, filters));
      return jsonReply(200, { items, total: null });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/gateways/{gw}/sandboxes/{name}',
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context) => {
      const sandbox = requireSandbox(context, context.params['name'] ?? '');
      return jsonReply(200, sandboxResponse(sandboxDict(context.state, sandbox)));
    },
  }),
];
