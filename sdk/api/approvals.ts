import { z } from 'zod';
import { ShoreGuardError, isShoreGuardError, parsePinDetail } from '../errors';
import {
  type ApprovalAlreadyVoted,
  type ApprovalNotPending,
  type ApprovalPinned,
  type ApproveAllOutcome,
  type ApproveChunkOutcome,
  type AuditPage,
  type ChunkProvenance,
  type DraftChunk,
  type DraftHistoryEntry,
  type DraftPolicy,
  type DraftRule,
  type EditChunkOutcome,
  type EditChunkRule,
  type RejectChunkOutcome,
  type UndoChunkOutcome,
  type VoteTally,
  approveAllWireSchema,
  auditPageSchema,
  clearWireSchema,
  draftChunkListSchema,
  draftHistorySchema,
  draftPolicySchema,
  policyRevisionRefSchema,
  voteWireSchema,
} from '../models/approvals';
import type { PolicyPin } from '../models/pins';
import { liveRuleMap, liveRules, ruleCoveredBy } from '../models/rule-coverage';
import type { ApprovalDecisions } from '../models/workflows';
import { type ApiResponse, type RequestSpec, type Transport, apiPath } from '../transport';
import type { PinsApi } from './pins';
import type { WorkflowsApi } from './workflows';

/** `GET …/policy`: only what the coverage check needs. */
const livePolicySchema = z
  .object({
    active_version: z.number().int().nullish(),
    revision: z.object({ version: z.number().int().nullish(), policy_hash: z.string().nullish() }).loose().nullish(),
    policy: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose()
  .transform((w) => ({
    version: w.revision?.version ?? w.active_version ?? 0,
    policyHash: w.revision?.policy_hash ?? '',
    policy: w.policy ?? {},
  }));

/** Options of {@link ApprovalsApi.approve} and {@link ApprovalsApi.approveAll}. */
export interface ApproveOptions {
  /** Block (up to 30 s, server side) until the sandbox has loaded the new policy revision. @default false */
  readonly waitLoaded?: boolean;
}

/** Options of {@link ApprovalsApi.approveAll}. */
export interface ApproveAllOptions extends ApproveOptions {
  /** Also approve chunks with security notes. @default false */
  readonly includeSecurityFlagged?: boolean;
}

/** Options of {@link ApprovalsApi.auditLog} (admin). */
export interface AuditQuery {
  readonly action?: string;
  readonly actor?: string;
  readonly resourceType?: string;
  readonly gateway?: string;
  /** 1..1000. @default server: 100 */
  readonly limit?: number;
  readonly offset?: number;
}

/** A pending chunk whose rule the live policy already allows. */
export interface CoveredChunk {
  readonly chunk: DraftChunk;
  /** The live revision that covers it. */
  readonly policyVersion: number;
}

/** What {@link ApprovalsApi.closeCovered} did with one covered chunk. */
export interface ClosedChunk {
  readonly chunkId: string;
  readonly ruleName: string;
  readonly outcome: RejectChunkOutcome;
}

const ALREADY_VOTED = /has already voted on chunk/i;
const BULK_REFUSED = /approve-all is disabled under an active approval workflow/i;
const FAILED_PRECONDITION = /FAILED_PRECONDITION/;

/**
 * Draft-policy approvals: `/api/gateways/{gw}/sandboxes/{name}/approvals/…`. The chunks are
 * OpenShell's (ShoreGuard proxies GetDraftPolicy / ApproveDraftChunk / RejectDraftChunk …); the
 * votes under a workflow, pins and the audit log are ShoreGuard's. Expected answers come back as
 * typed outcomes (`approved`, `vote_recorded`, `pinned`, `already_voted`, `not_pending`,
 * `bulk_refused`, …); real failures throw a ShoreGuardError (an unknown chunk without a workflow is
 * `not_found`, a role outside the workflow's `required_roles` is `forbidden`).
 *
 * Writes are never retried blindly (only on 429 with Retry-After); after a TransportError re-read
 * the chunk (`draft`) before trying again.
 */
export class ApprovalsApi {
  readonly #transport: Transport;
  readonly #pins: PinsApi;
  readonly #workflows: WorkflowsApi;

  constructor(transport: Transport, pins: PinsApi, workflows: WorkflowsApi) {
    this.#transport = transport;
    this.#pins = pins;
    this.#workflows = workflows;
  }

  /** Every chunk of the sandbox's draft (or only those with `status`), with the draft's version (viewer). */
  async draft(gateway: string, sandbox: string, options: { readonly status?: string } = {}): Promise<DraftPolicy> {
    return this.#transport.call(
      {
        method: 'GET',
        path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals`,
        query: { status_filter: options.status },
        idempotent: true,
        gateway,
        sandbox,
      },
      draftPolicySchema,
    );
  }

  /** The pending chunks (viewer). */
  async pending(gateway: string, sandbox: string): Promise<readonly DraftChunk[]> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/pending`, idempotent: true, gateway, sandbox },
      draftChunkListSchema,
    );
  }

  /** One chunk by id, whatever its status. @throws ShoreGuardError `not_found` when the draft has no such chunk. */
  async chunk(gateway: string, sandbox: string, chunkId: string): Promise<DraftChunk> {
    const found = (await this.draft(gateway, sandbox)).chunks.find((chunk) => chunk.id === chunkId);
    if (found) return found;
    throw new ShoreGuardError({
      code: 'not_found',
      summary: `chunk '${chunkId}' is not in the draft policy of sandbox '${sandbox}' on gateway '${gateway}'.`,
      hint: 'List the chunks with `approvals.draft` (pending ones with `approvals.pending`); cleared chunks are gone.',
      gateway,
      sandbox,
    });
  }

  /** The gateway's ledger, oldest first: `proposed`, then `approved` / `rejected` per chunk (viewer). */
  async history(gateway: string, sandbox: string): Promise<readonly DraftHistoryEntry[]> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/history`, idempotent: true, gateway, sandbox },
      draftHistorySchema,
    );
  }

  /** The votes recorded on a chunk under the sandbox's workflow (viewer). */
  async decisions(gateway: string, sandbox: string, chunkId: string): Promise<ApprovalDecisions> {
    return this.#workflows.decisions(gateway, sandbox, chunkId);
  }

  /** Votes cast / needed on a chunk (viewer): without a workflow one approve decides. */
  async tally(gateway: string, sandbox: string, chunkId: string): Promise<VoteTally> {
    const decisions = await this.decisions(gateway, sandbox, chunkId);
    const workflow = decisions.status !== 'no_workflow';
    return { workflow, votesCast: decisions.votes, votesNeeded: workflow ? decisions.needed : 1, decisions: decisions.decisions };
  }

  /**
   * Approves a chunk (operator). Pin check first (423 → `pinned`). Under a workflow this is a vote:
   * `vote_recorded` until the quorum, then the gateway merges the rule once (`approved`).
   * A repeated vote is `already_voted`; a chunk that is already approved is `not_pending`.
   * @throws ShoreGuardError `not_found` (unknown chunk, no workflow), `forbidden` (role not allowed to vote).
   */
  async approve(gateway: string, sandbox: string, chunkId: string, options: ApproveOptions = {}): Promise<ApproveChunkOutcome> {
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/${chunkId}/approve`,
      query: { wait_loaded: options.waitLoaded ? true : undefined },
      idempotent: false,
      acceptStatus: [409, 423],
      gateway,
      sandbox,
    };
    const response = await this.#sendForChunk(spec, chunkId);
    if (response.status === 423) return this.#pinned(response, spec, gateway, sandbox);
    if (response.status === 409) return this.#voteConflict(response, spec);
    if (response.status === 202) {
      const vote = this.#transport.parse(response, voteWireSchema, spec);
      return { status: 'vote_recorded', chunkId, votesCast: vote.votes, votesNeeded: vote.needed, decisions: vote.decisions, requestId: response.requestId };
    }
    const revision = this.#transport.parse(response, policyRevisionRefSchema, spec);
    return { status: 'approved', chunkId, ...revision, requestId: response.requestId };
  }

  /**
   * Rejects a chunk (operator), with an optional reason (≤ 1000 characters) that the gateway keeps
   * for the proposing agent. Under a workflow one reject ends the chunk. Not blocked by pins.
   * Rejecting an approved chunk removes its binary from the live rule (a new revision).
   */
  async reject(gateway: string, sandbox: string, chunkId: string, options: { readonly reason?: string } = {}): Promise<RejectChunkOutcome> {
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/${chunkId}/reject`,
      body: { reason: options.reason ?? '' },
      idempotent: false,
      acceptStatus: [409],
      gateway,
      sandbox,
    };
    const response = await this.#sendForChunk(spec, chunkId);
    if (response.status === 409) return this.#voteConflict(response, spec);
    this.#transport.parse(response, z.object({ status: z.literal('rejected') }).loose(), spec);
    return { status: 'rejected', chunkId, requestId: response.requestId };
  }

  /**
   * Approves every pending chunk (operator), security-flagged ones only when asked. Under an
   * active workflow only an admin may (`bulk_refused` otherwise). Nothing pending → `nothing_pending`.
   */
  async approveAll(gateway: string, sandbox: string, options: ApproveAllOptions = {}): Promise<ApproveAllOutcome> {
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/approve-all`,
      query: { wait_loaded: options.waitLoaded ? true : undefined },
      body: { include_security_flagged: options.includeSecurityFlagged ?? false },
      idempotent: false,
      acceptStatus: [409, 423],
      gateway,
      sandbox,
    };
    const response = await this.#transport.send(spec);
    if (response.status === 423) return this.#pinned(response, spec, gateway, sandbox);
    if (response.status === 409) {
      const detail = this.#transport.errorFor(response, spec).detail ?? '';
      if (BULK_REFUSED.test(detail)) return { status: 'bulk_refused', detail, requestId: response.requestId };
      if (FAILED_PRECONDITION.test(detail)) return { status: 'nothing_pending', detail, requestId: response.requestId };
      throw this.#transport.errorFor(response, spec);
    }
    const done = this.#transport.parse(response, approveAllWireSchema, spec);
    return {
      status: 'approved_all',
      policyVersion: done.policy_version ?? 0,
      policyHash: done.policy_hash ?? '',
      chunksApproved: done.chunks_approved ?? 0,
      chunksSkipped: done.chunks_skipped ?? 0,
      requestId: response.requestId,
    };
  }

  /**
   * Replaces a pending chunk's proposed rule (operator), given in the policy document's form
   * (`{name, endpoints: [{host, port, protocol, rules: [{allow: {method, path}}]}], binaries: [{path}]}`).
   * The rule name the chunk merges under stays the same. Not blocked by pins (nothing goes live).
   */
  async edit(gateway: string, sandbox: string, chunkId: string, rule: EditChunkRule): Promise<EditChunkOutcome> {
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/${chunkId}/edit`,
      body: { proposed_rule: rule },
      idempotent: false,
      acceptStatus: [409],
      gateway,
      sandbox,
    };
    const response = await this.#sendForChunk(spec, chunkId);
    if (response.status === 409) return this.#notPending(response, spec);
    this.#transport.parse(response, z.object({ status: z.string() }).loose(), spec);
    return { status: 'edited', chunkId, requestId: response.requestId };
  }

  /**
   * Reverses an approval (operator): the gateway removes the chunk's binary from its rule (the rule
   * when it was the last binary) and puts the chunk back to pending. Not blocked by pins (0.40.0
   * checks pins only on approve / approve-all), and does not go through the workflow.
   */
  async undo(gateway: string, sandbox: string, chunkId: string): Promise<UndoChunkOutcome> {
    const spec: RequestSpec = {
      method: 'POST',
      path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/${chunkId}/undo`,
      idempotent: false,
      acceptStatus: [409],
      gateway,
      sandbox,
    };
    const response = await this.#sendForChunk(spec, chunkId);
    if (response.status === 409) return this.#notPending(response, spec);
    const revision = this.#transport.parse(response, policyRevisionRefSchema, spec);
    return { status: 'undone', chunkId, ...revision, requestId: response.requestId };
  }

  /** Deletes every pending chunk (operator). They leave no history entry. */
  async clear(gateway: string, sandbox: string): Promise<{ readonly chunksCleared: number }> {
    return this.#transport.call(
      { method: 'POST', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/approvals/clear`, idempotent: false, gateway, sandbox },
      clearWireSchema,
    );
  }

  /** ShoreGuard's audit log, newest first (admin). */
  async auditLog(query: AuditQuery = {}): Promise<AuditPage> {
    return this.#transport.call(
      {
        method: 'GET',
        path: '/api/audit',
        query: {
          action: query.action,
          actor: query.actor,
          resource_type: query.resourceType,
          gateway: query.gateway,
          limit: query.limit,
          offset: query.offset,
        },
        idempotent: true,
      },
      auditPageSchema,
    );
  }

  /**
   * Where each approved chunk's rule came from: rule, rationale, agent or mechanistic, when the
   * gateway approved it and (from the audit log, which needs an admin key) who. With a non-admin
   * key `approvedBy` is `null` and `voters` empty; everything else still comes back.
   */
  async provenance(gateway: string, sandbox: string): Promise<readonly ChunkProvenance[]> {
    const approved = (await this.draft(gateway, sandbox, { status: 'approved' })).chunks;
    if (approved.length === 0) return [];
    const [audit, live] = await Promise.all([this.#approvalAudit(gateway), this.#livePolicy(gateway, sandbox)]);
    const rules = liveRuleMap(live.policy);
    return approved.map((chunk) => {
      const mine = audit.filter((entry) => entry.resourceId === chunk.id && entry.detail['sandbox'] === sandbox);
      const approveEntry = mine.find((entry) => entry.action === 'approval.approve');
      const bulk = !approveEntry
        ? audit.find((entry) => entry.action === 'approval.approve_all' && entry.resourceId === sandbox && closeTo(entry.timestamp, chunk.decidedAtMs))
        : undefined;
      const voters = mine
        .filter((entry) => entry.action === 'approval.vote_cast' || entry.action === 'approval.approve')
        .map((entry) => entry.actor ?? '')
        .filter((actor) => actor !== '')
        .reverse();
      return {
        chunkId: chunk.id,
        ruleName: chunk.ruleName,
        rule: chunk.rule,
        origin: chunk.origin,
        rationale: chunk.rationale,
        binary: chunk.binary,
        approvedAt: chunk.decidedAtMs === null ? null : new Date(chunk.decidedAtMs).toISOString(),
        approvedBy: approveEntry?.actor ?? bulk?.actor ?? null,
        voters,
        bulk: bulk !== undefined,
        liveRuleKey: liveKeyOf(chunk, rules),
      };
    });
  }

  /**
   * The pending chunks whose rule the live policy already allows (see {@link ruleCoveredBy}): after
   * a reviewed Git change carrying a proposal's rule is applied, these are the proposals it settled.
   */
  async coveredPending(gateway: string, sandbox: string): Promise<readonly CoveredChunk[]> {
    const [pending, live] = await Promise.all([this.pending(gateway, sandbox), this.#livePolicy(gateway, sandbox)]);
    const rules = liveRules(live.policy);
    return pending.filter((chunk) => chunk.rule !== null && ruleCoveredBy(chunk.rule, rules)).map((chunk) => ({ chunk, policyVersion: live.version }));
  }

  /**
   * Closes the pending chunks the live policy already covers, by rejecting each with a reason
   * that says so (`covered by active policy revision N`, what newer OpenShell gateways record
   * themselves). Reject never touches the live policy for a pending chunk, so the rule does not
   * land a second time (approving would merge it again and may write a new revision).
   * Under a workflow each reject is a vote by this principal (one reject ends the chunk).
   */
  async closeCovered(gateway: string, sandbox: string, options: { readonly reason?: string } = {}): Promise<readonly ClosedChunk[]> {
    const covered = await this.coveredPending(gateway, sandbox);
    const closed: ClosedChunk[] = [];
    for (const { chunk, policyVersion } of covered) {
      const reason = options.reason ?? `covered by active policy revision ${policyVersion}`;
      closed.push({ chunkId: chunk.id, ruleName: chunk.ruleName, outcome: await this.reject(gateway, sandbox, chunk.id, { reason }) });
    }
    return closed;
  }

  async #livePolicy(gateway: string, sandbox: string): Promise<z.infer<typeof livePolicySchema>> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/gateways/${gateway}/sandboxes/${sandbox}/policy`, idempotent: true, gateway, sandbox },
      livePolicySchema,
    );
  }

  // The audit log is admin-only; provenance degrades to the gateway's data for other keys.
  async #approvalAudit(gateway: string): Promise<AuditPage['entries']> {
    try {
      const [single, votes, bulk] = await Promise.all(
        ['approval.approve', 'approval.vote_cast', 'approval.approve_all'].map((action) => this.auditLog({ action, gateway, limit: 1000 })),
      );
      return [...(single?.entries ?? []), ...(votes?.entries ?? []), ...(bulk?.entries ?? [])];
    } catch (error) {
      if (isShoreGuardError(error) && error.code === 'forbidden') return [];
      throw error;
    }
  }

  // The gateway's 404 says only "gRPC error: NOT_FOUND"; name the chunk (or sandbox) it was about.
  async #sendForChunk(spec: RequestSpec, chunkId: string): Promise<ApiResponse> {
    try {
      return await this.#transport.send(spec);
    } catch (error) {
      if (!isShoreGuardError(error) || error.code !== 'not_found' || error.serverCode !== 'NOT_FOUND' || !/gRPC error/.test(error.detail ?? '')) throw error;
      throw new ShoreGuardError({
        code: 'not_found',
        summary: `failed with 404 (not_found): chunk '${chunkId}' is not in the draft policy of sandbox '${spec.sandbox ?? ''}' on gateway '${spec.gateway ?? ''}' (or the sandbox does not exist).`,
        hint: 'List the chunks with `approvals.pending` / `approvals.draft`; cleared chunks are gone for good.',
        status: error.status,
        method: error.method,
        path: error.path,
        requestId: error.requestId,
        detail: error.detail,
        serverCode: error.serverCode,
        attempts: error.attempts,
        ...(spec.gateway === undefined ? {} : { gateway: spec.gateway }),
        ...(spec.sandbox === undefined ? {} : { sandbox: spec.sandbox }),
      });
    }
  }

  async #pinned(response: ApiResponse, spec: RequestSpec, gateway: string, sandbox: string): Promise<ApprovalPinned> {
    const detail = this.#transport.errorFor(response, spec).detail ?? '';
    return { status: 'pinned', detail, ...parsePinDetail(detail), pin: await this.#readPin(gateway, sandbox), requestId: response.requestId };
  }

  #voteConflict(response: ApiResponse, spec: RequestSpec): ApprovalAlreadyVoted | ApprovalNotPending {
    const detail = this.#transport.errorFor(response, spec).detail ?? '';
    if (ALREADY_VOTED.test(detail)) return { status: 'already_voted', detail, requestId: response.requestId };
    return this.#notPending(response, spec);
  }

  #notPending(response: ApiResponse, spec: RequestSpec): ApprovalNotPending {
    const error = this.#transport.errorFor(response, spec);
    if (!FAILED_PRECONDITION.test(error.detail ?? '')) throw error;
    return { status: 'not_pending', detail: error.detail ?? '', requestId: response.requestId };
  }

  async #readPin(gateway: string, sandbox: string): Promise<PolicyPin | null> {
    try {
      return await this.#pins.get(gateway, sandbox);
    } catch (error) {
      if (isShoreGuardError(error)) return null;
      throw error;
    }
  }
}

/** The live key whose rule covers the chunk's rule, its own name first. */
function liveKeyOf(chunk: DraftChunk, rules: Readonly<Record<string, DraftRule>>): string | null {
  const proposed = chunk.rule;
  if (!proposed) return null;
  const covers = (key: string): boolean => {
    const rule = rules[key];
    return rule !== undefined && ruleCoveredBy(proposed, [rule]);
  };
  if (covers(chunk.ruleName)) return chunk.ruleName;
  return Object.keys(rules).sort().find(covers) ?? null;
}

/** An audit timestamp (naive = UTC) within 10 s of the gateway's decision time. */
function closeTo(timestamp: string | null, decidedAtMs: number | null): boolean {
  if (timestamp === null || decidedAtMs === null) return false;
  const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(timestamp) ? timestamp : `${timestamp}Z`;
  const at = Date.parse(text);
  return Number.isFinite(at) && Math.abs(at - decidedAtMs) <= 10_000;
}
