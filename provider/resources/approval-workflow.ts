/**
 * `shoreguard_approval_workflow`: quorum voting for one sandbox. Id = `gateway/sandbox_name`.
 * PUT creates or replaces the whole workflow, so every setting changes in place; gateway and
 * sandbox are the identity. `required_roles` is sorted here because ShoreGuard stores it sorted.
 */
import { z } from 'zod';
import type { ApprovalWorkflow, PutApprovalWorkflowInput } from '../../sdk';
import { deleteIgnoringNotFound } from './calls';
import { defineBasics } from './define';
import { ResourceError } from './errors';
import { parseSandboxId } from './ids';
import type { Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { bool, gatewayName, intInRange, optional, role, sandboxName, withDefault } from './validate';

export const APPROVAL_WORKFLOW_TYPE = 'shoreguard_approval_workflow';

const inputSchema = z.object({
  gateway: gatewayName,
  sandbox_name: sandboxName,
  required_approvals: withDefault(intInRange(1, 20), 2),
  required_roles: withDefault(z.array(role, { error: 'must be a list of roles (admin, operator, viewer)' }), []).transform((roles) => [...roles].sort()),
  distinct_actors: withDefault(bool, true),
  escalation_timeout_minutes: optional(intInRange(1, 10_080)),
});

export type ApprovalWorkflowInputs = z.output<typeof inputSchema>;
export type ApprovalWorkflowState = ApprovalWorkflowInputs & {
  id: string;
  created_by: string | null;
  created_at: string | null;
  updated_at: string | null;
};

const basics = defineBasics<ApprovalWorkflowInputs>({ type: APPROVAL_WORKFLOW_TYPE, inputs: inputSchema, replaceOn: ['gateway', 'sandbox_name'] });

function workflowState(live: ApprovalWorkflow, prior: Attributes | undefined): ApprovalWorkflowState {
  return basics.keepSpelling(prior, {
    id: `${live.gatewayName}/${live.sandboxName}`,
    gateway: live.gatewayName,
    sandbox_name: live.sandboxName,
    required_approvals: live.requiredApprovals,
    required_roles: [...live.requiredRoles].sort() as ApprovalWorkflowInputs['required_roles'],
    distinct_actors: live.distinctActors,
    escalation_timeout_minutes: live.escalationTimeoutMinutes,
    created_by: live.createdBy,
    created_at: live.createdAt,
    updated_at: live.updatedAt,
  });
}

function body(inputs: ApprovalWorkflowInputs): PutApprovalWorkflowInput {
  return {
    requiredApprovals: inputs.required_approvals,
    requiredRoles: inputs.required_roles,
    distinctActors: inputs.distinct_actors,
    escalationTimeoutMinutes: inputs.escalation_timeout_minutes,
  };
}

async function put(ctx: ResourceContext, inputs: ApprovalWorkflowInputs): Promise<ApprovalWorkflowState> {
  return workflowState(await ctx.client.workflows.put(inputs.gateway, inputs.sandbox_name, body(inputs)), inputs);
}

export const approvalWorkflowHandler: ResourceHandler<ApprovalWorkflowInputs, ApprovalWorkflowState> = {
  ...basics,

  // PUT is an upsert, so "already exists" is detected by reading first.
  async create(ctx: ResourceContext, inputs: ApprovalWorkflowInputs, options: CreateOptions = {}): Promise<ApprovalWorkflowState> {
    if (!options.adopt) {
      const existing = await ctx.client.workflows.get(inputs.gateway, inputs.sandbox_name);
      if (existing) {
        throw new ResourceError({
          code: 'already_exists',
          resourceType: APPROVAL_WORKFLOW_TYPE,
          summary: `sandbox '${inputs.sandbox_name}' on gateway '${inputs.gateway}' already has an approval workflow (${existing.requiredApprovals} approvals, created by ${existing.createdBy ?? 'unknown'} at ${existing.createdAt ?? 'an unknown time'}).`,
          hint: 'Set adopt: true to manage the existing workflow.',
        });
      }
    }
    return put(ctx, inputs);
  },

  async read(ctx, id, prior) {
    const [gateway, sandbox] = parseSandboxId(APPROVAL_WORKFLOW_TYPE, id);
    const live = await ctx.client.workflows.get(gateway, sandbox);
    return live ? workflowState(live, prior) : null;
  },

  async update(ctx, _id, _prior, inputs) {
    return put(ctx, inputs);
  },

  async delete(ctx, id) {
    const [gateway, sandbox] = parseSandboxId(APPROVAL_WORKFLOW_TYPE, id);
    await deleteIgnoringNotFound(() => ctx.client.workflows.delete(gateway, sandbox));
  },

  async importState(ctx, importId) {
    const [gateway, sandbox] = parseSandboxId(APPROVAL_WORKFLOW_TYPE, importId);
    const live = await ctx.client.workflows.get(gateway, sandbox);
    return live ? workflowState(live, undefined) : null;
  },
};
