/**
 * Sandbox boot hooks under `/api/gateways/{gw}/sandboxes/{name}/hooks` (§8). Hooks are stored by
 * gateway and sandbox name; running one never executes a command in the emulator.
 */
import { emptyReply, jsonReply, ProblemError, type PydanticError } from '../core/http';
import { compareCodePoints, type PyValue } from '../core/python';
import { validateBody, type ModelSpec, type ValidatedModel } from '../core/validation';
import { defineRoute, type RequestContext } from '../http/router';
import { GRPC_NOT_FOUND_DETAIL, HOOK_CREATE_STATUS, reorderedHookUpdatedAt, storedTimestamp } from '../quirks';
import type { HookRecord } from '../state';
import { actorOf, gatewayOf, intPathParam } from './common';

const PHASES = ['pre_create', 'post_create'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_PATTERN = '^(pre_create|post_create)$';
const PHASE_ERROR = "phase must be one of ['post_create', 'pre_create']";
const OUTPUT_LIMIT = 4096;

const CREATE_SPEC: ModelSpec = {
  name: { spec: { kind: 'str', minLength: 1, maxLength: 128 }, required: true },
  phase: { spec: { kind: 'str', pattern: PHASE_PATTERN }, required: true },
  command: { spec: { kind: 'str', minLength: 1, maxLength: 8192 }, required: true },
  workdir: { spec: { kind: 'str', maxLength: 512 }, default: '' },
  env: { spec: { kind: 'dict', value: { kind: 'str' } }, default: {} },
  timeout_seconds: { spec: { kind: 'int', ge: 1, le: 600 }, default: 30 },
  order: { spec: { kind: 'int' }, nullable: true },
  enabled: { spec: { kind: 'bool' }, default: true },
  continue_on_failure: { spec: { kind: 'bool' }, default: false },
};

const UPDATE_SPEC: ModelSpec = {
  command: { spec: { kind: 'str', maxLength: 8192 }, nullable: true },
  workdir: { spec: { kind: 'str', maxLength: 512 }, nullable: true },
  env: { spec: { kind: 'dict', value: { kind: 'str' } }, nullable: true },
  timeout_seconds: { spec: { kind: 'int', ge: 1, le: 600 }, nullable: true },
  order: { spec: { kind: 'int' }, nullable: true },
  enabled: { spec: { kind: 'bool' }, nullable: true },
  continue_on_failure: { spec: { kind: 'bool' }, nullable: true },
};

const REORDER_SPEC: ModelSpec = {
  phase: { spec: { kind: 'str', pattern: PHASE_PATTERN }, required: true },
  hook_ids: { spec: { kind: 'list', item: { kind: 'int' } }, required: true },
};

function hookBody(hook: HookRecord): Record<string, unknown> {
  return {
    id: hook.id,
    gateway_name: hook.gatewayName,
    sandbox_name: hook.sandboxName,
    name: hook.name,
    phase: hook.phase,
    command: hook.command,
    workdir: hook.workdir,
    env: { ...hook.env },
    timeout_seconds: hook.timeoutSeconds,
    order: hook.order,
    enabled: hook.enabled,
    continue_on_failure: hook.continueOnFailure,
    created_by: hook.createdBy,
    created_at: storedTimestamp(hook.createdAt),
    updated_at: storedTimestamp(hook.updatedAt),
    last_run_at: hook.lastRunAt === null ? null : storedTimestamp(hook.lastRunAt),
    last_status: hook.lastStatus,
    last_output: hook.lastOutput,
  };
}

function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

/** Hooks of one sandbox ordered by phase, order, id (the service's SQL ordering). */
function sandboxHooks(context: RequestContext, phase: Phase | null): HookRecord[] {
  const gateway = gatewayOf(context);
  const sandbox = context.params['name'] ?? '';
  return [...context.state.hooks.values()]
    .filter((hook) => hook.gatewayName === gateway && hook.sandboxName === sandbox && (phase === null || hook.phase === phase))
    .sort((a, b) => compareCodePoints(a.phase, b.phase) || a.order - b.order || a.id - b.id);
}

/** A hook of this sandbox; one that belongs to another sandbox is "not found" too. */
function requireHook(context: RequestContext, hookId: number): HookRecord {
  const hook = context.state.hooks.get(hookId);
  if (!hook || hook.gatewayName !== gatewayOf(context) || hook.sandboxName !== (context.params['name'] ?? '')) {
    throw new ProblemError(404, 'Boot hook not found');
  }
  return hook;
}

function truncateOutput(text: string): string {
  return text.length <= OUTPUT_LIMIT ? text : `${text.slice(0, OUTPUT_LIMIT - 32)}\n... [truncated, ${text.length} bytes]`;
}

/**
 * `run_one` without executing anything: a pre_create hook "runs locally" and succeeds; a
 * post_create hook needs the live sandbox, so it fails like ShoreGuard's exec would when the
 * gateway or the sandbox is missing.
 */
function runHook(context: RequestContext, hook: HookRecord): Record<string, unknown> {
  let summary = 'ok';
  let status: 'success' | 'failure' = 'success';
  if (hook.phase === 'post_create') {
    if (!context.state.isGatewayConnected(hook.gatewayName)) {
      status = 'failure';
      summary = 'An unexpected gateway communication error occurred.';
    } else if (!context.state.findSandbox(hook.gatewayName, hook.sandboxName)) {
      status = 'failure';
      summary = GRPC_NOT_FOUND_DETAIL;
    }
  }
  const output = truncateOutput('');
  hook.lastRunAt = context.state.nowMicros();
  hook.lastStatus = status;
  hook.lastOutput = output;
  return { hook_id: hook.id, name: hook.name, phase: hook.phase, status, summary, output };
}

interface HookIdAndBody {
  hookId: number;
  body: ValidatedModel;
}

function parseHookIdAndBody(spec: ModelSpec) {
  return (context: RequestContext, errors: PydanticError[]): HookIdAndBody => ({
    hookId: intPathParam(context, errors, 'hook_id'),
    body: validateBody(spec, context.body, errors),
  });
}

const BASE = '/api/gateways/{gw}/sandboxes/{name}/hooks';

export const hookRoutes = [
  defineRoute({
    method: 'GET',
    path: BASE,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'viewer',
    handle: (context) => {
      const phase = context.query.get('phase');
      if (phase !== null && !isPhase(phase)) throw new ProblemError(400, PHASE_ERROR);
      return jsonReply(200, { items: sandboxHooks(context, phase).map(hookBody) });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/{hook_id}`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'viewer',
    parse: (context, errors) => intPathParam(context, errors, 'hook_id'),
    handle: (context, hookId: number) => jsonReply(200, hookBody(requireHook(context, hookId))),
  }),
  defineRoute({
    method: 'POST',
    path: BASE,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(CREATE_SPEC, context.body, errors),
    handle: (context, input: ValidatedModel) => {
      const values = input.values;
      const name = String(values['name']);
      const phase = String(values['phase']);
      const command = String(values['command']);
      if (!name.trim()) throw new ProblemError(400, 'Hook name must not be empty');
      if (!isPhase(phase)) throw new ProblemError(400, PHASE_ERROR);
      if (!command.trim()) throw new ProblemError(400, 'Hook command must not be empty');
      const siblings = sandboxHooks(context, phase);
      if (siblings.some((hook) => hook.name === name)) {
        throw new ProblemError(400, `A ${phase} hook named '${name}' already exists for this sandbox`);
      }
      const now = context.state.nowMicros();
      const requestedOrder = values['order'] as number | null;
      const hook: HookRecord = {
        id: context.state.allocateId('sandbox_boot_hooks'),
        gatewayName: gatewayOf(context),
        sandboxName: context.params['name'] ?? '',
        name,
        phase,
        command,
        workdir: String(values['workdir']),
        env: { ...(values['env'] as Record<string, string>) },
        timeoutSeconds: Number(values['timeout_seconds']),
        order: requestedOrder ?? (siblings.length === 0 ? 0 : Math.max(...siblings.map((sibling) => sibling.order)) + 1),
        enabled: Boolean(values['enabled']),
        continueOnFailure: Boolean(values['continue_on_failure']),
        createdBy: actorOf(context),
        createdAt: now,
        updatedAt: now,
        lastRunAt: null,
        lastStatus: null,
        lastOutput: null,
      };
      context.state.hooks.set(hook.id, hook);
      return jsonReply(HOOK_CREATE_STATUS, hookBody(hook));
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/{hook_id}`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    jsonBody: true,
    parse: parseHookIdAndBody(UPDATE_SPEC),
    handle: (context, input: HookIdAndBody) => {
      const hook = requireHook(context, input.hookId);
      const values: Record<string, PyValue> = input.body.values;
      const present = (key: string): boolean => values[key] !== null && values[key] !== undefined;
      if (present('command') && !String(values['command']).trim()) throw new ProblemError(400, 'Hook command must not be empty');
      // null means "unchanged": fields cannot be cleared, and name/phase cannot change at all.
      if (present('command')) hook.command = String(values['command']);
      if (present('workdir')) hook.workdir = String(values['workdir']);
      if (present('env')) hook.env = { ...(values['env'] as Record<string, string>) };
      if (present('timeout_seconds')) hook.timeoutSeconds = Number(values['timeout_seconds']);
      if (present('order')) hook.order = Number(values['order']);
      if (present('enabled')) hook.enabled = Boolean(values['enabled']);
      if (present('continue_on_failure')) hook.continueOnFailure = Boolean(values['continue_on_failure']);
      hook.updatedAt = context.state.nowMicros();
      return jsonReply(200, hookBody(hook));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/{hook_id}`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    parse: (context, errors) => intPathParam(context, errors, 'hook_id'),
    handle: (context, hookId: number) => {
      requireHook(context, hookId);
      context.state.hooks.delete(hookId);
      return emptyReply(204);
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/reorder`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(REORDER_SPEC, context.body, errors),
    handle: (context, input: ValidatedModel) => {
      const phase = String(input.values['phase']);
      if (!isPhase(phase)) throw new ProblemError(400, PHASE_ERROR);
      const hookIds = input.values['hook_ids'] as number[];
      const existing = sandboxHooks(context, phase);
      const existingIds = new Set(existing.map((hook) => hook.id));
      const requested = new Set(hookIds);
      if (requested.size !== existingIds.size || [...requested].some((id) => !existingIds.has(id))) {
        throw new ProblemError(400, 'reorder hook_ids must match the stored hook set for this phase');
      }
      const now = context.state.nowMicros();
      hookIds.forEach((hookId, index) => {
        const hook = context.state.hooks.get(hookId)!;
        hook.order = index;
        hook.updatedAt = now;
      });
      const items = hookIds.map((hookId) => {
        const hook = context.state.hooks.get(hookId)!;
        return { ...hookBody(hook), updated_at: reorderedHookUpdatedAt(hook.updatedAt) };
      });
      return jsonReply(200, { items });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{hook_id}/run`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    parse: (context, errors) => intPathParam(context, errors, 'hook_id'),
    handle: (context, hookId: number) => jsonReply(200, runHook(context, requireHook(context, hookId))),
  }),
];
