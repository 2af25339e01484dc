import { isShoreGuardError, parsePinDetail } from '../errors';
import type { PolicyPin } from '../models/pins';
import {
  type ApplyPolicyInput,
  type PolicyApplyOutcome,
  type PolicyExport,
  applyCompletedWireSchema,
  applyConflictWireSchema,
  applyVoteWireSchema,
  policyExportSchema,
  voteChunkId,
} from '../models/policies';
import type { ApprovalDecisions } from '../models/workflows';
import { type ApiResponse, type RequestSpec, type Transport, apiPath } from '../transport';
import type { PinsApi } from './pins';
import type { WorkflowsApi } from './workflows';

/** GitOps policy export/apply: `/api/gateways/{gw}/sandboxes/{name}/policy/{export,apply}`. */
export class PoliciesApi {
  readonly #transport: Transport;
  readonly #pins: PinsApi;
  readonly #workflows: WorkflowsApi;

  constructor(transport: Transport, pins: PinsApi, workflows: WorkflowsApi) {
    this.#transport = transport;
    this.#pins = pins;
    this.#workflows = workflows;
  }

  /** Exports the live policy as YAML plus its lock token `policyHash` (viewer; allowed while pinned). */
  async export(gateway: string, sandbox: string): Promise<PolicyExport> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/policy/export`, idempotent: true, gateway, sandbox },
      policyExportSchema,
    );
  }

  /**
   * Applies (or dry-runs) a policy document (operator). The expected outcomes come back as data:
   * - 200 → `up_to_date` | `dry_run` | `applied` (with the diff);
   * - 202 → `vote_recorded` (quorum not met yet; other voters POST the identical YAML);
   * - 423 → `pinned` (the pin is then read for its reason and expiry; `pin` is null if that fails);
   * - 409 `version_mismatch` → `conflict`.
   * Everything else throws a ShoreGuardError (e.g. `validation` with `mergeUnsupported`, a
   * `conflict` for a repeated vote, `forbidden`, `rate_limited`, `server`).
   *
   * Retries: a dry run changes nothing and is retried like a read; a real apply is retried only
   * on 429 with Retry-After. After a TransportError on a real apply, re-export and compare before
   * trying again.
   */
  async apply(gateway: string, sandbox: string, input: ApplyPolicyInput): Promise<PolicyApplyOutcome> {
    const dryRun = input.dryRun ?? false;
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/policy/apply`,
      body: {
        yaml: input.yaml,
        dry_run: dryRun,
        ...(input.mode === undefined ? {} : { mode: input.mode }),
        ...(input.expectedVersion === undefined ? {} : { expected_version: input.expectedVersion }),
      },
      idempotent: dryRun,
      acceptStatus: [409, 423],
      gateway,
      sandbox,
    };
    const response = await this.#transport.send(spec);
    return this.#outcome(response, spec, gateway, sandbox);
  }

  async #outcome(response: ApiResponse, spec: RequestSpec, gateway: string, sandbox: string): Promise<PolicyApplyOutcome> {
    const { requestId } = response;
    if (response.status === 423) {
      const detail = this.#transport.errorFor(response, spec).detail ?? '';
      return { status: 'pinned', detail, ...parsePinDetail(detail), pin: await this.#readPin(gateway, sandbox), requestId };
    }
    if (response.status === 409) {
      const body = response.body as { status?: unknown } | undefined;
      // A 409 problem (e.g. "Actor … has already voted") is a failure, not a lock conflict.
      if (typeof body !== 'object' || body === null || body.status !== 'version_mismatch') throw this.#transport.errorFor(response, spec);
      const conflict = this.#transport.parse(response, applyConflictWireSchema, spec);
      return { status: 'conflict', currentHash: conflict.current_hash, expectedVersion: conflict.expected_version, requestId };
    }
    if (response.status === 202) {
      const vote = this.#transport.parse(response, applyVoteWireSchema, spec);
      return {
        status: 'vote_recorded',
        votesCast: vote.votes_cast,
        votesNeeded: vote.votes_needed,
        chunkId: vote.chunk_id,
        diff: vote.diff,
        currentHash: vote.current_hash,
        requestId,
      };
    }
    const done = this.#transport.parse(response, applyCompletedWireSchema, spec);
    return { status: done.status, diff: done.diff, currentHash: done.current_hash, appliedVersion: done.applied_version, requestId };
  }

  // Enriches a 423 with reason and expiry; the outcome stands even if the pin cannot be read.
  async #readPin(gateway: string, sandbox: string): Promise<PolicyPin | null> {
    try {
      return await this.#pins.get(gateway, sandbox);
    } catch (error) {
      if (isShoreGuardError(error)) return null;
      throw error;
    }
  }

  /** The votes recorded so far for applying this exact YAML text (see {@link voteChunkId}). */
  async getDecisions(gateway: string, sandbox: string, yaml: string): Promise<ApprovalDecisions> {
    return this.#workflows.decisions(gateway, sandbox, voteChunkId(yaml));
  }

  /** The vote chunk id of a YAML text: `policy.apply:<sha16>`. */
  voteChunkId(yaml: string): string {
    return voteChunkId(yaml);
  }
}
