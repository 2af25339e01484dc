import { z } from 'zod';
import { toWire } from '../models/common';
import {
  type ApprovalDecisions,
  type ApprovalWorkflow,
  PUT_WORKFLOW_WIRE,
  type PutApprovalWorkflowInput,
  approvalDecisionsSchema,
  approvalWorkflowSchema,
  optionalApprovalWorkflowSchema,
} from '../models/workflows';
import { type Transport, apiPath } from '../transport';

/** Approval workflows (quorum voting): `/api/gateways/{gw}/sandboxes/{name}/approval-workflow`. */
export class WorkflowsApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Reads the workflow (operator role); `null` when none is configured (the server sends `{}`). */
  async get(gateway: string, sandbox: string): Promise<ApprovalWorkflow | null> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approval-workflow`, idempotent: true, gateway, sandbox },
      optionalApprovalWorkflowSchema,
    );
  }

  /**
   * Creates or replaces the workflow (admin). Sent with the real wire names (`required_approvals`
   * …); keys left out take the server defaults. Does not need the gateway or sandbox to exist.
   */
  async put(gateway: string, sandbox: string, input: PutApprovalWorkflowInput): Promise<ApprovalWorkflow> {
    return this.#transport.call(
      {
        method: 'PUT',
        path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approval-workflow`,
        body: toWire(input, PUT_WORKFLOW_WIRE),
        idempotent: true,
        gateway,
        sandbox,
      },
      approvalWorkflowSchema,
    );
  }

  /** Deletes the workflow and its recorded decisions (admin). @throws ShoreGuardError `not_found` when none. */
  async delete(gateway: string, sandbox: string): Promise<void> {
    await this.#transport.call(
      { method: 'DELETE', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approval-workflow`, idempotent: true, gateway, sandbox },
      z.unknown(),
    );
  }

  /** The votes recorded on a chunk (viewer). For a GitOps apply use `policies.getDecisions`. */
  async decisions(gateway: string, sandbox: string, chunkId: string): Promise<ApprovalDecisions> {
    return this.#transport.call(
      {
        method: 'GET',
        path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/${chunkId}/decisions`,
        idempotent: true,
        gateway,
        sandbox,
      },
      approvalDecisionsSchema,
    );
  }
}
