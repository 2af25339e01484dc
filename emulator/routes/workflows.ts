/**
 * Approval workflows (§6): the workflow config routes, the decisions read-out and the vote
 * bookkeeping that GitOps apply uses (`record_decision`).
 */
import { jsonReply, ProblemError } from '../core/http';
import { compareCodePoints, type PyValue } from '../core/python';
import { validateBody, type ModelSpec } from '../core/validation';
import { defineRoute } from '../http/router';
import {
  alreadyVotedDetail,
  FRESH_DECISION_KEEPS_OFFSET,
  freshTimestamp,
  NO_WORKFLOW_BODY,
  NO_WORKFLOW_DECISIONS_BODY,
  roleNotPermittedDetail,
  storedTimestamp,
  WORKFLOW_READ_ROLE,
} from '../quirks';
import { sandboxKey, type DecisionRecord, type EmulatorState, type WorkflowRecord } from '../state';
import { actorOf, gatewayOf } from './common';

export function workflowBody(workflow: WorkflowRecord): Record<string, unknown> {
  return {
    gateway_name: workflow.gatewayName,
    sandbox_name: workflow.sandboxName,
    required_approvals: workflow.requiredApprovals,
    required_roles: [...workflow.requiredRoles],
    distinct_actors: workflow.distinctActors,
    escalation_timeout_minutes: workflow.escalationTimeoutMinutes,
    created_by: workflow.createdBy,
    created_at: storedTimestamp(workflow.createdAt),
    updated_at: storedTimestamp(workflow.updatedAt),
  };
}

function decisionBody(decision: DecisionRecord): Record<string, unknown> {
  return {
    actor: decision.actor,
    role: decision.role,
    decision: decision.decision,
    comment: decision.comment,
    created_at: storedTimestamp(decision.createdAt),
  };
}

function chunkDecisions(state: EmulatorState, gateway: string, sandbox: string, chunkId: string): DecisionRecord[] {
  return state.decisions
    .filter((decision) => decision.gatewayName === gateway && decision.sandboxName === sandbox && decision.chunkId === chunkId)
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
}

export interface VoteResult {
  workflow: WorkflowRecord;
  decisions: Record<string, unknown>[];
  approveVotes: number;
  quorumMet: boolean;
}

/**
 * `record_decision`: role gate (403), distinct-actor gate (409), then the quorum check; a met
 * quorum or any reject clears the chunk's decisions (the terminal state).
 */
export function recordVote(
  state: EmulatorState,
  workflow: WorkflowRecord,
  chunkId: string,
  actor: string,
  role: string,
  decision: 'approve' | 'reject',
  comment: string | null = null,
): VoteResult {
  if (workflow.requiredRoles.length > 0 && !workflow.requiredRoles.includes(role)) {
    throw new ProblemError(403, roleNotPermittedDetail(role, workflow.requiredRoles));
  }
  const existing = chunkDecisions(state, workflow.gatewayName, workflow.sandboxName, chunkId);
  if (workflow.distinctActors && existing.some((recorded) => recorded.actor === actor)) {
    throw new ProblemError(409, alreadyVotedDetail(actor, chunkId));
  }
  state.decisions.push({
    id: state.allocateId('approval_decisions'),
    workflowId: workflow.id,
    gatewayName: workflow.gatewayName,
    sandboxName: workflow.sandboxName,
    chunkId,
    actor,
    role,
    decision,
    comment,
    createdAt: state.nowMicros(),
  });
  const decisions = chunkDecisions(state, workflow.gatewayName, workflow.sandboxName, chunkId);
  const added = decisions[decisions.length - 1];
  const approveVotes = decisions.filter((recorded) => recorded.decision === 'approve').length;
  const rejectSeen = decisions.some((recorded) => recorded.decision === 'reject');
  const quorumMet = !rejectSeen && approveVotes >= workflow.requiredApprovals;
  if (quorumMet || rejectSeen) {
    state.decisions = state.decisions.filter((recorded) => !decisions.includes(recorded));
  }
  // The row added in this session still holds its tz-aware datetime; rows read back are naive.
  const rendered = decisions.map((recorded) =>
    recorded === added && FRESH_DECISION_KEEPS_OFFSET ? { ...decisionBody(recorded), created_at: freshTimestamp(recorded.createdAt) } : decisionBody(recorded),
  );
  return { workflow, decisions: rendered, approveVotes, quorumMet };
}

/** An approve vote (GitOps apply and the approvals route). */
export function recordApproveVote(state: EmulatorState, workflow: WorkflowRecord, chunkId: string, actor: string, role: string): VoteResult {
  return recordVote(state, workflow, chunkId, actor, role, 'approve');
}

const WORKFLOW_SPEC: ModelSpec = {
  required_approvals: { spec: { kind: 'int', ge: 1, le: 20 }, default: 2 },
  required_roles: { spec: { kind: 'list', item: { kind: 'str' } }, default: [] },
  distinct_actors: { spec: { kind: 'bool' }, default: true },
  escalation_timeout_minutes: { spec: { kind: 'int', ge: 1, le: 10080 }, nullable: true },
};

const BASE = '/api/gateways/{gw}/sandboxes/{name}';

export const workflowRoutes = [
  defineRoute({
    method: 'GET',
    path: `${BASE}/approval-workflow`,
    auth: 'required',
    gatewayScoped: true,
    minRole: WORKFLOW_READ_ROLE,
    handle: (context) => {
      const workflow = context.state.workflows.get(sandboxKey(gatewayOf(context), context.params['name'] ?? ''));
      return jsonReply(200, workflow ? workflowBody(workflow) : NO_WORKFLOW_BODY);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: `${BASE}/approval-workflow`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(WORKFLOW_SPEC, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue> }) => {
      const gateway = gatewayOf(context);
      const sandbox = context.params['name'] ?? '';
      const key = sandboxKey(gateway, sandbox);
      const now = context.state.nowMicros();
      const values = input.values;
      const settings = {
        requiredApprovals: Number(values['required_approvals']),
        requiredRoles: [...(values['required_roles'] as string[])].sort(compareCodePoints),
        distinctActors: Boolean(values['distinct_actors']),
        escalationTimeoutMinutes: (values['escalation_timeout_minutes'] as number | null) ?? null,
      };
      const existing = context.state.workflows.get(key);
      const workflow: WorkflowRecord = existing
        ? Object.assign(existing, settings, { updatedAt: now })
        : {
            id: context.state.allocateId('approval_workflows'),
            gatewayName: gateway,
            sandboxName: sandbox,
            ...settings,
            createdBy: actorOf(context),
            createdAt: now,
            updatedAt: now,
          };
      context.state.workflows.set(key, workflow);
      return jsonReply(200, workflowBody(workflow));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${BASE}/approval-workflow`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'admin',
    handle: (context) => {
      const key = sandboxKey(gatewayOf(context), context.params['name'] ?? '');
      const workflow = context.state.workflows.get(key);
      if (!workflow) throw new ProblemError(404, 'No workflow configured');
      context.state.workflows.delete(key);
      context.state.decisions = context.state.decisions.filter((decision) => decision.workflowId !== workflow.id);
      return jsonReply(200, { status: 'deleted' });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/approvals/{chunk_id}/decisions`,
    auth: 'required',
    gatewayScoped: true,
    handle: (context) => {
      const gateway = gatewayOf(context);
      const sandbox = context.params['name'] ?? '';
      const workflow = context.state.workflows.get(sandboxKey(gateway, sandbox));
      if (!workflow) return jsonReply(200, NO_WORKFLOW_DECISIONS_BODY);
      const decisions = chunkDecisions(context.state, gateway, sandbox, context.params['chunk_id'] ?? '');
      return jsonReply(200, {
        status: 'pending',
        votes: decisions.filter((decision) => decision.decision === 'approve').length,
        needed: workflow.requiredApprovals,
        decisions: decisions.map(decisionBody),
      });
    },
  }),
];
