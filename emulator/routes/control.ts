/**
 * The `/__emulator/…` control API: the seeding, fault and stats operations of the in-process API,
 * over HTTP, for an emulator started as a separate process. Every call needs
 * `Authorization: Bearer <the admin key printed at start>`. Inputs are validated with zod.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { emptyReply, jsonReply, type Reply } from '../core/http';
import { PythonTypeError, type PyValue } from '../core/python';
import type { FaultInjector, FaultRule } from '../faults';
import { defineRoute, type HttpMethod, type RequestContext } from '../http/router';
import type { RequestStats } from '../http/server';
import { TldWildcardError } from '../policy/model';
import { EmulatorStateError, type EmulatorState } from '../state';

const role = z.enum(['admin', 'operator', 'viewer']);
const jsonValue: z.ZodType<PyValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
const policy = z.record(z.string(), jsonValue);

const schemas = {
  user: z.object({ email: z.string().min(1), role: role.optional(), password: z.string().min(1).optional() }),
  servicePrincipal: z.object({ name: z.string().min(1), role }),
  gateway: z.object({
    name: z.string().min(1),
    endpoint: z.string().min(1).optional(),
    connected: z.boolean().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    description: z.string().optional(),
    metadata: z.record(z.string(), jsonValue).optional(),
  }),
  connected: z.object({ connected: z.boolean() }),
  sandbox: z.object({ policy: policy.nullable().optional() }),
  policyEdit: z.object({ policy }),
  pin: z.object({
    reason: z.string().nullable().optional(),
    expiresAt: z.string().nullable().optional(),
    pinnedBy: z.string().optional(),
    pinnedVersion: z.number().int().nonnegative().optional(),
  }),
  proposal: z.object({
    analysisMode: z.string().min(1).optional(),
    chunks: z
      .array(
        z.object({
          ruleName: z.string(),
          rule: z.record(z.string(), jsonValue).nullable().optional(),
          rationale: z.string().optional(),
          confidence: z.number().optional(),
          hitCount: z.number().int().optional(),
          firstSeenMs: z.number().int().optional(),
          lastSeenMs: z.number().int().optional(),
        }),
      )
      .min(1),
  }),
  fault: z.object({
    kind: z.enum(['latency', 'status', 'drop', 'lose-response']),
    ms: z.number().int().nonnegative().optional(),
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
    count: z.number().int().positive().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    match: z
      .object({ method: z.string().optional(), path: z.string().optional(), pathPattern: z.string().optional() })
      .optional(),
  }),
};

export interface ControlDependencies {
  state: EmulatorState;
  faults: FaultInjector;
  stats: RequestStats;
  adminKey: string;
  keys: Record<string, string>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function isAdmin(context: RequestContext, adminKey: string): boolean {
  const header = context.headers.authorization ?? '';
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return false;
  return timingSafeEqual(digest(header.slice(7)), digest(adminKey));
}

function toFaultRule(input: z.infer<typeof schemas.fault>): FaultRule {
  const match = input.match
    ? {
        ...(input.match.method ? { method: input.match.method } : {}),
        ...(input.match.pathPattern ? { path: new RegExp(input.match.pathPattern) } : input.match.path ? { path: input.match.path } : {}),
      }
    : undefined;
  const common = { ...(match ? { match } : {}) };
  switch (input.kind) {
    case 'latency':
      return { kind: 'latency', ms: input.ms ?? 0, ...(input.count ? { count: input.count } : {}), ...common };
    case 'status':
      if (input.status === undefined) throw new EmulatorStateError('a status fault needs "status"');
      return {
        kind: 'status',
        status: input.status,
        count: input.count ?? 1,
        ...(input.retryAfterSeconds !== undefined ? { retryAfterSeconds: input.retryAfterSeconds } : {}),
        ...common,
      };
    default:
      return { kind: input.kind, count: input.count ?? 1, ...common };
  }
}

/** A control route: admin key check, zod body parsing, typed seeding errors → 400. */
function controlRoute<Schema extends z.ZodType>(
  deps: ControlDependencies,
  method: HttpMethod,
  path: string,
  schema: Schema | null,
  run: (context: RequestContext, input: z.infer<Schema>) => Reply,
) {
  return defineRoute({
    method,
    path: `/__emulator${path}`,
    auth: 'public',
    jsonBody: schema !== null,
    handle: (context) => {
      if (!isAdmin(context, deps.adminKey)) return jsonReply(401, { detail: 'The emulator admin key is required' });
      const parsed = schema === null ? null : schema.safeParse(context.body ?? {});
      if (parsed && !parsed.success) return jsonReply(400, { detail: 'Invalid control request', issues: parsed.error.issues });
      try {
        return run(context, (parsed?.data ?? undefined) as z.infer<Schema>);
      } catch (error) {
        if (error instanceof EmulatorStateError || error instanceof PythonTypeError || error instanceof TldWildcardError || error instanceof SyntaxError) {
          return jsonReply(400, { detail: error.message });
        }
        throw error;
      }
    },
  });
}

function param(context: RequestContext, name: string): string {
  return context.params[name] ?? '';
}

export function controlRoutes(deps: ControlDependencies) {
  const { state, faults, stats } = deps;
  return [
    controlRoute(deps, 'GET', '/keys', null, () => jsonReply(200, { ...deps.keys })),
    controlRoute(deps, 'GET', '/stats', null, () => jsonReply(200, stats.snapshot())),
    controlRoute(deps, 'DELETE', '/stats', null, () => {
      stats.reset();
      return emptyReply(204);
    }),
    controlRoute(deps, 'GET', '/faults', null, () =>
      jsonReply(
        200,
        faults.list().map((rule) => ({
          ...rule,
          remaining: Number.isFinite(rule.remaining) ? rule.remaining : null,
          ...(rule.match?.path instanceof RegExp ? { match: { ...rule.match, path: undefined, pathPattern: rule.match.path.source } } : {}),
        })),
      ),
    ),
    controlRoute(deps, 'POST', '/faults', schemas.fault, (_context, input) => {
      faults.inject(toFaultRule(input));
      return emptyReply(204);
    }),
    controlRoute(deps, 'DELETE', '/faults', null, () => {
      faults.clear();
      return emptyReply(204);
    }),
    controlRoute(deps, 'POST', '/reset', null, () => {
      state.reset();
      return emptyReply(204);
    }),
    controlRoute(deps, 'POST', '/users', schemas.user, (_context, input) =>
      jsonReply(201, state.addUser(input.email, input.role ?? 'viewer', input.password ? { password: input.password } : {})),
    ),
    controlRoute(deps, 'POST', '/service-principals', schemas.servicePrincipal, (_context, input) =>
      jsonReply(201, { name: input.name, role: input.role, key: state.addServicePrincipal(input.name, input.role) }),
    ),
    controlRoute(deps, 'POST', '/gateways', schemas.gateway, (_context, input) => {
      const record = state.registerGateway({
        name: input.name,
        ...(input.endpoint ? { endpoint: input.endpoint } : {}),
        ...(input.connected !== undefined ? { connected: input.connected } : {}),
        ...(input.labels ? { labels: input.labels } : {}),
        ...(input.description ? { description: input.description } : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
      });
      return jsonReply(201, { name: record.name, endpoint: record.endpoint, connected: state.isGatewayConnected(record.name) });
    }),
    controlRoute(deps, 'PUT', '/gateways/{name}/connected', schemas.connected, (context, input) => {
      state.setGatewayConnected(param(context, 'name'), input.connected);
      return emptyReply(204);
    }),
    controlRoute(deps, 'PUT', '/sandboxes/{gw}/{sandbox}', schemas.sandbox, (context, input) => {
      state.seedSandbox(param(context, 'gw'), param(context, 'sandbox'), input.policy ?? null);
      return jsonReply(200, state.getPolicy(param(context, 'gw'), param(context, 'sandbox')));
    }),
    controlRoute(deps, 'POST', '/sandboxes/{gw}/{sandbox}/out-of-band-edit', schemas.policyEdit, (context, input) =>
      jsonReply(200, state.editPolicyOutOfBand(param(context, 'gw'), param(context, 'sandbox'), input.policy)),
    ),
    controlRoute(deps, 'GET', '/sandboxes/{gw}/{sandbox}/policy', null, (context) =>
      jsonReply(200, state.getPolicy(param(context, 'gw'), param(context, 'sandbox'))),
    ),
    controlRoute(deps, 'POST', '/sandboxes/{gw}/{sandbox}/proposals', schemas.proposal, (context, input) => {
      const chunks = input.chunks.map((chunk) => ({
        ruleName: chunk.ruleName,
        ...(chunk.rule === undefined ? {} : { rule: chunk.rule }),
        ...(chunk.rationale === undefined ? {} : { rationale: chunk.rationale }),
        ...(chunk.confidence === undefined ? {} : { confidence: chunk.confidence }),
        ...(chunk.hitCount === undefined ? {} : { hitCount: chunk.hitCount }),
        ...(chunk.firstSeenMs === undefined ? {} : { firstSeenMs: chunk.firstSeenMs }),
        ...(chunk.lastSeenMs === undefined ? {} : { lastSeenMs: chunk.lastSeenMs }),
      }));
      const submission = { chunks, ...(input.analysisMode ? { analysisMode: input.analysisMode } : {}) };
      return jsonReply(200, state.submitProposal(param(context, 'gw'), param(context, 'sandbox'), submission));
    }),
    controlRoute(deps, 'PUT', '/pins/{gw}/{sandbox}', schemas.pin, (context, input) => {
      const pin = state.setPin(param(context, 'gw'), param(context, 'sandbox'), {
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
        ...(input.pinnedBy !== undefined ? { pinnedBy: input.pinnedBy } : {}),
        ...(input.pinnedVersion !== undefined ? { pinnedVersion: input.pinnedVersion } : {}),
      });
      return jsonReply(200, { gatewayName: pin.gatewayName, sandboxName: pin.sandboxName, pinnedVersion: pin.pinnedVersion });
    }),
  ];
}
