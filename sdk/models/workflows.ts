import { z } from 'zod';
import { nullableNumber, nullableString, stringList } from './common';

/** An approval workflow of one sandbox (contract §6.3). */
export interface ApprovalWorkflow {
  readonly gatewayName: string;
  readonly sandboxName: string;
  /** Approvals needed for quorum, 1..20. */
  readonly requiredApprovals: number;
  /** Roles allowed to vote (stored sorted); `[]` = any role. */
  readonly requiredRoles: readonly string[];
  /** When true the same actor cannot vote twice on a chunk. */
  readonly distinctActors: boolean;
  /** Minutes before an `approval.escalated` webhook; `null` = never. */
  readonly escalationTimeoutMinutes: number | null;
  readonly createdBy: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export const approvalWorkflowSchema: z.ZodType<ApprovalWorkflow> = z
  .object({
    gateway_name: z.string(),
    sandbox_name: z.string(),
    required_approvals: z.number().int(),
    required_roles: stringList,
    distinct_actors: z.boolean().nullish().transform((v) => v ?? true),
    escalation_timeout_minutes: nullableNumber,
    created_by: nullableString,
    created_at: nullableString,
    updated_at: nullableString,
  })
  .loose()
  .transform((w) => ({
    gatewayName: w.gateway_name,
    sandboxName: w.sandbox_name,
    requiredApprovals: w.required_approvals,
    requiredRoles: w.required_roles,
    distinctActors: w.distinct_actors,
    escalationTimeoutMinutes: w.escalation_timeout_minutes,
    createdBy: w.created_by,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
  }));

/** `GET …/approval-workflow` answers `{}` when none exists: that becomes `null`. */
export const optionalApprovalWorkflowSchema: z.ZodType<ApprovalWorkflow | null> = z.union([
  z.null(),
  z
    .object({})
    .strict()
    .transform(() => null),
  approvalWorkflowSchema,
]);

/**
 * Input of `workflows.put` (create or replace). Fields left out take the server defaults
 * (2 approvals, any role, distinct actors, no escalation), exactly as a fresh PUT would.
 */
export interface PutApprovalWorkflowInput {
  /** 1..20. @default server: 2 */
  readonly requiredApprovals?: number;
  /** @default server: [] (any role) */
  readonly requiredRoles?: readonly string[];
  /** @default server: true */
  readonly distinctActors?: boolean;
  /** 1..10080, or null for none. @default server: null */
  readonly escalationTimeoutMinutes?: number | null;
}

export const PUT_WORKFLOW_WIRE = {
  requiredApprovals: 'required_approvals',
  requiredRoles: 'required_roles',
  distinctActors: 'distinct_actors',
  escalationTimeoutMinutes: 'escalation_timeout_minutes',
} as const;

/** One vote on a chunk. */
export interface ApprovalDecision {
  readonly actor: string;
  readonly role: string | null;
  /** `approve` | `reject`. */
  readonly decision: string;
  readonly comment: string | null;
  readonly createdAt: string | null;
}

/** `GET …/approvals/{chunk_id}/decisions`. */
export interface ApprovalDecisions {
  /** `pending`, or `no_workflow` when the sandbox has no workflow. */
  readonly status: string;
  /** Approve votes so far. */
  readonly votes: number;
  /** Approvals needed (0 without a workflow). */
  readonly needed: number;
  readonly decisions: readonly ApprovalDecision[];
}

const decisionSchema = z
  .object({ actor: z.string(), role: nullableString, decision: z.string(), comment: nullableString, created_at: nullableString })
  .loose()
  .transform((w) => ({ actor: w.actor, role: w.role, decision: w.decision, comment: w.comment, createdAt: w.created_at }));

export const approvalDecisionsSchema: z.ZodType<ApprovalDecisions> = z
  .object({
    status: z.string(),
    votes: z.number().int(),
    needed: z.number().int(),
    decisions: z.array(decisionSchema).nullish().transform((v) => v ?? []),
  })
  .loose()
  .transform((w) => ({ status: w.status, votes: w.votes, needed: w.needed, decisions: w.decisions }));
