/**
 * Draft-policy approvals (ShoreGuard 0.40.0 `api/routes/approvals.py`): the chunks OpenShell
 * proposes (from observed denials or from an agent inside the sandbox), their decision history,
 * and the outcomes of approving / rejecting them. Wire shapes follow ShoreGuard's `_chunk_to_dict`
 * (`client/approvals.py`): optional endpoint fields are absent when unset on the gateway.
 */
import { z } from 'zod';
import { jsonObject, nullableString, stringList } from './common';
import type { PolicyPin } from './pins';
import { type ApprovalDecision, approvalDecisionsSchema } from './workflows';

/** One L7 allow rule of an endpoint (`rules[].allow`). REST rules use method + path, SQL ones command. */
export interface DraftL7Rule {
  readonly method: string;
  readonly path: string;
  readonly command: string;
}

/** One endpoint of a proposed rule. Strings the gateway left unset are `null`. */
export interface DraftEndpoint {
  readonly host: string;
  readonly port: number;
  /** `rest`, `sql`, … for L7 inspection; `null` = L4 only. */
  readonly protocol: string | null;
  readonly tls: string | null;
  /** `enforce` | `audit` | … */
  readonly enforcement: string | null;
  /** Access preset (`read-only`, `read-write`, `full`), when the rule uses one instead of `rules`. */
  readonly access: string | null;
  /** HTTP path glob scoping an L7 endpoint on a shared host:port; `null` = all paths. */
  readonly path: string | null;
  readonly rules: readonly DraftL7Rule[];
  readonly allowedIps: readonly string[];
  readonly ports: readonly number[];
}

/** The network policy rule a chunk proposes (what approving it merges into `network_policies`). */
export interface DraftRule {
  readonly name: string;
  readonly endpoints: readonly DraftEndpoint[];
  readonly binaries: readonly string[];
}

/** ShoreGuard's breadth heuristic on a pending chunk (`narrowness`, on by default in 0.40.0). */
export interface DraftNarrowness {
  /** `narrow` | `over_broad` | `unknown`. */
  readonly verdict: string;
  readonly reasons: readonly string[];
  readonly overBroadFields: readonly string[];
}

/** `pending` | `approved` | `rejected` (other strings are passed through). */
export type DraftChunkStatus = 'pending' | 'approved' | 'rejected' | (string & {});

/** One draft policy chunk. */
export interface DraftChunk {
  readonly id: string;
  readonly status: DraftChunkStatus;
  /** The `network_policies` key the rule is merged under. */
  readonly ruleName: string;
  readonly rule: DraftRule | null;
  /** `L7` when any endpoint has a protocol or method/path rules, `L4` otherwise, `null` without a rule. */
  readonly layer: 'L7' | 'L4' | null;
  /** Why the proposer wants it (an agent's intent summary). */
  readonly rationale: string;
  /** The gateway's own security notes (private address, wildcard host, DB port, ephemeral port); `""` when none. */
  readonly securityNotes: string;
  /** True when `securityNotes` is non-empty: `approveAll` skips such chunks unless told otherwise. */
  readonly securityFlagged: boolean;
  /** 0..1 (float32 on the wire). 0 for chunks drafted mechanistically from denials. */
  readonly confidence: number;
  /**
   * `agent` when the chunk carries a non-zero confidence (OpenShell's agent-authored proposals do;
   * mechanistic drafts from denials have confidence 0). ShoreGuard does not pass the analysis mode
   * itself, so this is the best signal the REST API gives.
   */
  readonly origin: 'agent' | 'mechanistic';
  readonly binary: string;
  readonly hitCount: number;
  readonly createdAtMs: number;
  /** When it was approved/rejected; `null` while undecided. */
  readonly decidedAtMs: number | null;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly stage: string;
  readonly denialSummaryIds: readonly string[];
  readonly narrowness: DraftNarrowness | null;
  /** ShoreGuard's cached denial record matching the chunk, or `null`. */
  readonly denialContext: Record<string, unknown> | null;
}

const l7RuleSchema = z
  .object({
    allow: z
      .object({ method: z.string().nullish(), path: z.string().nullish(), command: z.string().nullish() })
      .loose()
      .nullish(),
  })
  .loose()
  .transform((w) => ({ method: w.allow?.method ?? '', path: w.allow?.path ?? '', command: w.allow?.command ?? '' }));

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null));

const endpointSchema = z
  .object({
    host: z.string(),
    port: z.number().int(),
    protocol: optionalText,
    tls: optionalText,
    enforcement: optionalText,
    access: optionalText,
    path: optionalText,
    rules: z.array(l7RuleSchema).nullish().transform((v) => v ?? []),
    allowed_ips: stringList,
    ports: z.array(z.number().int()).nullish().transform((v) => v ?? []),
  })
  .loose()
  .transform(
    (w): DraftEndpoint => ({
      host: w.host,
      port: w.port,
      protocol: w.protocol,
      tls: w.tls,
      enforcement: w.enforcement,
      access: w.access,
      path: w.path,
      rules: w.rules,
      allowedIps: w.allowed_ips,
      ports: w.ports,
    }),
  );

export const draftRuleSchema: z.ZodType<DraftRule> = z
  .object({
    name: z.string().nullish().transform((v) => v ?? ''),
    endpoints: z.array(endpointSchema).nullish().transform((v) => v ?? []),
    binaries: z
      .array(z.object({ path: z.string() }).loose())
      .nullish()
      .transform((v) => (v ?? []).map((b) => b.path)),
  })
  .loose()
  .transform((w) => ({ name: w.name, endpoints: w.endpoints, binaries: w.binaries }));

const narrownessSchema = z
  .object({ verdict: z.string(), reasons: stringList, over_broad_fields: stringList })
  .loose()
  .nullish()
  .transform((w) => (w ? { verdict: w.verdict, reasons: w.reasons, overBroadFields: w.over_broad_fields } : null));

/** L7 when an endpoint names a protocol or carries method/path rules. */
export function ruleLayer(rule: DraftRule | null): 'L7' | 'L4' | null {
  if (!rule) return null;
  return rule.endpoints.some((e) => e.protocol !== null || e.rules.length > 0) ? 'L7' : 'L4';
}

const int = z.number().int();

export const draftChunkSchema: z.ZodType<DraftChunk> = z
  .object({
    id: z.string(),
    status: z.string(),
    rule_name: z.string(),
    rationale: z.string().nullish().transform((v) => v ?? ''),
    security_notes: z.string().nullish().transform((v) => v ?? ''),
    confidence: z.number().nullish().transform((v) => v ?? 0),
    created_at_ms: int.nullish().transform((v) => v ?? 0),
    decided_at_ms: int.nullish().transform((v) => (v ? v : null)),
    stage: z.string().nullish().transform((v) => v ?? ''),
    hit_count: int.nullish().transform((v) => v ?? 0),
    first_seen_ms: int.nullish().transform((v) => v ?? 0),
    last_seen_ms: int.nullish().transform((v) => v ?? 0),
    binary: z.string().nullish().transform((v) => v ?? ''),
    denial_summary_ids: stringList,
    proposed_rule: draftRuleSchema.nullish().transform((v) => v ?? null),
    denial_context: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? null),
    narrowness: narrownessSchema,
  })
  .loose()
  .transform(
    (w): DraftChunk => ({
      id: w.id,
      status: w.status,
      ruleName: w.rule_name,
      rule: w.proposed_rule,
      layer: ruleLayer(w.proposed_rule),
      rationale: w.rationale,
      securityNotes: w.security_notes,
      securityFlagged: w.security_notes !== '',
      confidence: w.confidence,
      origin: w.confidence > 0 ? 'agent' : 'mechanistic',
      binary: w.binary,
      hitCount: w.hit_count,
      createdAtMs: w.created_at_ms,
      decidedAtMs: w.decided_at_ms,
      firstSeenMs: w.first_seen_ms,
      lastSeenMs: w.last_seen_ms,
      stage: w.stage,
      denialSummaryIds: w.denial_summary_ids,
      narrowness: w.narrowness,
      denialContext: w.denial_context,
    }),
  );

export const draftChunkListSchema: z.ZodType<readonly DraftChunk[]> = z.array(draftChunkSchema);

/** `GET …/approvals`: every chunk (or those of one status) plus the draft's bookkeeping. */
export interface DraftPolicy {
  readonly chunks: readonly DraftChunk[];
  readonly rollingSummary: string;
  /** Bumped by the gateway on every analysis submission. */
  readonly draftVersion: number;
  readonly lastAnalyzedAtMs: number;
}

export const draftPolicySchema: z.ZodType<DraftPolicy> = z
  .object({
    chunks: z.array(draftChunkSchema).nullish().transform((v) => v ?? []),
    rolling_summary: z.string().nullish().transform((v) => v ?? ''),
    draft_version: int.nullish().transform((v) => v ?? 0),
    last_analyzed_at_ms: int.nullish().transform((v) => v ?? 0),
  })
  .loose()
  .transform((w) => ({ chunks: w.chunks, rollingSummary: w.rolling_summary, draftVersion: w.draft_version, lastAnalyzedAtMs: w.last_analyzed_at_ms }));

/** One entry of `GET …/approvals/history` (the gateway's ledger: proposed, approved, rejected). */
export interface DraftHistoryEntry {
  readonly timestampMs: number;
  /** `proposed` | `approved` | `rejected`. */
  readonly eventType: string;
  readonly description: string;
  readonly chunkId: string;
}

export const draftHistorySchema: z.ZodType<readonly DraftHistoryEntry[]> = z.array(
  z
    .object({ timestamp_ms: int, event_type: z.string(), description: z.string().nullish(), chunk_id: z.string() })
    .loose()
    .transform((w) => ({ timestampMs: w.timestamp_ms, eventType: w.event_type, description: w.description ?? '', chunkId: w.chunk_id })),
);

/** The new policy revision an approve / undo produced (or the unchanged one when the rule was already live). */
export interface PolicyRevisionRef {
  readonly policyVersion: number;
  readonly policyHash: string;
}

export const policyRevisionRefSchema: z.ZodType<PolicyRevisionRef> = z
  .object({ policy_version: int.nullish(), policy_hash: z.string().nullish() })
  .loose()
  .transform((w) => ({ policyVersion: w.policy_version ?? 0, policyHash: w.policy_hash ?? '' }));

export const approveAllWireSchema = z
  .object({
    policy_version: int.nullish(),
    policy_hash: z.string().nullish(),
    chunks_approved: int.nullish(),
    chunks_skipped: int.nullish(),
  })
  .loose();

/** `POST …/approvals/clear`: ShoreGuard declares `cleared` but the gateway's count arrives as `chunks_cleared`. */
export const clearWireSchema = z
  .object({ cleared: int.nullish(), chunks_cleared: int.nullish() })
  .loose()
  .transform((w) => ({ chunksCleared: w.chunks_cleared ?? w.cleared ?? 0 }));

export const voteWireSchema = approvalDecisionsSchema;

/** A 423 answer: the sandbox policy is pinned (approve and approve-all check pins; reject does not). */
export interface ApprovalPinned {
  readonly status: 'pinned';
  readonly detail: string;
  readonly pinnedVersion: number | null;
  readonly pinnedBy: string | null;
  /** The pin with reason and expiry, or `null` if it could not be read. */
  readonly pin: PolicyPin | null;
  readonly requestId: string;
}

/** 409 under a workflow with distinct actors: this principal already voted on the chunk. */
export interface ApprovalAlreadyVoted {
  readonly status: 'already_voted';
  readonly detail: string;
  readonly requestId: string;
}

/**
 * 409 from the gateway (FAILED_PRECONDITION): the chunk is not in a state this action accepts
 * (approve: already approved; reject: already rejected; undo: not approved; edit: not pending).
 */
export interface ApprovalNotPending {
  readonly status: 'not_pending';
  readonly detail: string;
  readonly requestId: string;
}

/** 202: the vote was recorded under a workflow; quorum not met yet. */
export interface ApprovalVoteRecorded {
  readonly status: 'vote_recorded';
  readonly chunkId: string;
  readonly votesCast: number;
  readonly votesNeeded: number;
  readonly decisions: readonly ApprovalDecision[];
  readonly requestId: string;
}

/** 200: the chunk's rule was merged into the live policy (without a workflow, or as the quorum vote). */
export interface ChunkApproved extends PolicyRevisionRef {
  readonly status: 'approved';
  readonly chunkId: string;
  readonly requestId: string;
}

export type ApproveChunkOutcome = ChunkApproved | ApprovalVoteRecorded | ApprovalPinned | ApprovalAlreadyVoted | ApprovalNotPending;

/** 200 `{"status":"rejected"}`. Under a workflow one reject ends the chunk (votes cleared). */
export interface ChunkRejected {
  readonly status: 'rejected';
  readonly chunkId: string;
  readonly requestId: string;
}

export type RejectChunkOutcome = ChunkRejected | ApprovalAlreadyVoted | ApprovalNotPending;

/** 200 from approve-all. */
export interface ChunksApprovedAll extends PolicyRevisionRef {
  readonly status: 'approved_all';
  readonly chunksApproved: number;
  /** Security-flagged chunks left pending (unless `includeSecurityFlagged`). */
  readonly chunksSkipped: number;
  readonly requestId: string;
}

/** 409: approve-all is refused under an active workflow unless the caller is admin. */
export interface ApproveAllRefused {
  readonly status: 'bulk_refused';
  readonly detail: string;
  readonly requestId: string;
}

/** 409 from the gateway: there was nothing pending to approve. */
export interface ApproveAllNothingPending {
  readonly status: 'nothing_pending';
  readonly detail: string;
  readonly requestId: string;
}

export type ApproveAllOutcome = ChunksApprovedAll | ApproveAllRefused | ApproveAllNothingPending | ApprovalPinned;

/** 200 from undo: the rule's binary was removed from the live policy; the chunk is pending again. */
export interface ChunkUndone extends PolicyRevisionRef {
  readonly status: 'undone';
  readonly chunkId: string;
  readonly requestId: string;
}

export type UndoChunkOutcome = ChunkUndone | ApprovalNotPending;

/** 200 from edit. */
export interface ChunkEdited {
  readonly status: 'edited';
  readonly chunkId: string;
  readonly requestId: string;
}

export type EditChunkOutcome = ChunkEdited | ApprovalNotPending;

/** Votes on a chunk, as a reviewer reads them. */
export interface VoteTally {
  /** Whether the sandbox has an approval workflow (without one, one approve is enough). */
  readonly workflow: boolean;
  readonly votesCast: number;
  /** 1 without a workflow. */
  readonly votesNeeded: number;
  readonly decisions: readonly ApprovalDecision[];
}

/** Input of `approvals.edit`: the replacement rule, in the policy document's (snake_case) form. */
export type EditChunkRule = Readonly<Record<string, unknown>>;

/** `{"entries":[…],"total":N}` of `GET /api/audit` (admin). */
export interface AuditEntry {
  readonly id: number | null;
  readonly timestamp: string | null;
  readonly actor: string | null;
  readonly actorRole: string | null;
  readonly action: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly gateway: string | null;
  readonly detail: Record<string, unknown>;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  readonly total: number;
}

export const auditPageSchema: z.ZodType<AuditPage> = z
  .object({
    entries: z.array(
      z
        .object({
          id: int.nullish(),
          timestamp: nullableString,
          actor: nullableString,
          actor_role: nullableString,
          action: nullableString,
          resource_type: nullableString,
          resource_id: nullableString,
          gateway: nullableString,
          detail: jsonObject,
        })
        .loose()
        .transform(
          (w): AuditEntry => ({
            id: w.id ?? null,
            timestamp: w.timestamp,
            actor: w.actor,
            actorRole: w.actor_role,
            action: w.action,
            resourceType: w.resource_type,
            resourceId: w.resource_id,
            gateway: w.gateway,
            detail: w.detail,
          }),
        ),
    ),
    total: int,
  })
  .loose()
  .transform((w) => ({ entries: w.entries, total: w.total }));

/**
 * Where a live rule came from: the approved chunk, who approved it and when. Built from the
 * chunk list, the gateway history and (when the caller is admin) ShoreGuard's audit log.
 */
export interface ChunkProvenance {
  readonly chunkId: string;
  readonly ruleName: string;
  readonly rule: DraftRule | null;
  readonly origin: 'agent' | 'mechanistic';
  readonly rationale: string;
  readonly binary: string;
  /** From the gateway (`decided_at_ms`), as an ISO-8601 UTC string; `null` if unknown. */
  readonly approvedAt: string | null;
  /**
   * The principal whose call merged the rule (`sp:…` / a user email): the last voter under a
   * workflow. `null` when the audit log could not be read (it needs admin).
   */
  readonly approvedBy: string | null;
  /** Every approve vote recorded in the audit log for this chunk (earlier voters + the final one). */
  readonly voters: readonly string[];
  /** Whether it came through approve-all (then only the bulk call is audited, not the chunk). */
  readonly bulk: boolean;
  /**
   * The live `network_policies` key whose rule now carries this chunk's rule (the chunk's own name,
   * or the rule it was folded into), `null` when the live policy no longer covers it.
   */
  readonly liveRuleKey: string | null;
}

/** A rule in the policy document's form (`network_policies.<name>`), as ShoreGuard exports it. */
export interface PolicyRuleDocument {
  readonly name: string;
  readonly endpoints: readonly Readonly<Record<string, unknown>>[];
  readonly binaries: readonly { readonly path: string }[];
}

/**
 * The proposed rule as it would appear under `network_policies` in an exported document: the key
 * order and omitted-when-unset fields of ShoreGuard's `_network_rule_to_dict`. The rule's own
 * `name` falls back to the chunk's rule name, as the gateway's merge does.
 */
export function toPolicyRule(rule: DraftRule, ruleName: string = rule.name): PolicyRuleDocument {
  return {
    name: rule.name || ruleName,
    endpoints: rule.endpoints.map((endpoint) => {
      const out: Record<string, unknown> = { host: endpoint.host, port: endpoint.port };
      if (endpoint.protocol) out['protocol'] = endpoint.protocol;
      if (endpoint.tls) out['tls'] = endpoint.tls;
      if (endpoint.enforcement) out['enforcement'] = endpoint.enforcement;
      if (endpoint.access) out['access'] = endpoint.access;
      if (endpoint.path) out['path'] = endpoint.path;
      if (endpoint.rules.length > 0) out['rules'] = endpoint.rules.map((r) => ({ allow: { method: r.method, path: r.path, command: r.command } }));
      if (endpoint.allowedIps.length > 0) out['allowed_ips'] = [...endpoint.allowedIps];
      if (endpoint.ports.length > 0) out['ports'] = [...endpoint.ports];
      return out;
    }),
    binaries: rule.binaries.map((path) => ({ path })),
  };
}
