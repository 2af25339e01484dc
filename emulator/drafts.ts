/**
 * The emulated OpenShell gateway's draft-policy ledger: chunks submitted through
 * `SubmitPolicyAnalysis` (by an agent, or mechanistically from denials) and the gateway-side
 * effects of GetDraftPolicy / ApproveDraftChunk / RejectDraftChunk / ApproveAllDraftChunks /
 * EditDraftChunk / UndoDraftChunk / ClearDraftChunks / GetDraftHistory. ShoreGuard's own layer
 * (pins, workflow votes, audit) lives in routes/approvals.ts.
 */
import { randomUUID } from 'node:crypto';
import { normalizeNetworkRule, normalizePolicy, type PolicyDict } from './policy/model';
import { addRuleToPolicy, chunkKey, generateSecurityNotes, removeBinaryFromPolicy } from './policy/openshell-draft';
import type { PyValue } from './core/python';

export type DraftStatus = 'pending' | 'approved' | 'rejected';

export interface DraftChunkRecord {
  id: string;
  status: DraftStatus;
  ruleName: string;
  /** The proposed rule in ShoreGuard's dict form (as `_dict_to_network_rule` would round-trip it). */
  rule: PolicyDict;
  rationale: string;
  securityNotes: string;
  /** float32 on the wire. */
  confidence: number;
  createdAtMs: number;
  decidedAtMs: number | null;
  host: string;
  port: number;
  binary: string;
  hitCount: number;
  firstSeenMs: number;
  lastSeenMs: number;
  rejectionReason: string;
  /** Insertion order, to break `created_at_ms` ties like a database row id. */
  seq: number;
}

export interface DraftLedger {
  version: number;
  chunks: DraftChunkRecord[];
}

/** One chunk of a `SubmitPolicyAnalysis` call, as an agent's `addRule` (or the denial aggregator) fills it. */
export interface ProposalChunkSeed {
  ruleName: string;
  /** `{name?, endpoints: [{host, port, protocol?, enforcement?, access?, rules?: [{allow: {method, path}}]}], binaries: [{path}]}`. */
  rule?: PolicyDict | null;
  rationale?: string;
  confidence?: number;
  hitCount?: number;
  firstSeenMs?: number;
  lastSeenMs?: number;
}

export interface ProposalSubmission {
  /** `agent_authored` (policy.local proposals) or `mechanistic` (denial drafts). @default 'agent_authored' */
  analysisMode?: string;
  chunks: ProposalChunkSeed[];
}

export interface SubmissionResult {
  acceptedChunks: number;
  rejectedChunks: number;
  rejectionReasons: string[];
  acceptedChunkIds: string[];
}

/** A gateway error the route layer maps onto ShoreGuard's gRPC → HTTP table. */
export class DraftGatewayError extends Error {
  constructor(
    readonly grpcCode: 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
    this.name = 'DraftGatewayError';
  }
}

let sequence = 0;

/**
 * `SubmitPolicyAnalysis` for one sandbox: validation, records, supersede and mechanistic
 * self-reject. `normalizeRule` stores the rule in the caller's shape (the emulator: ShoreGuard's
 * dict round trip; the fake gateway: the decoded protobuf message as received).
 */
export function submitToLedger(
  ledger: DraftLedger,
  submission: ProposalSubmission,
  nowMs: number,
  normalizeRule: (rule: PolicyDict) => PolicyDict = (rule) => normalizeNetworkRule(rule as PyValue),
): SubmissionResult {
  const mode = submission.analysisMode ?? 'agent_authored';
  const result: SubmissionResult = { acceptedChunks: 0, rejectedChunks: 0, rejectionReasons: [], acceptedChunkIds: [] };
  ledger.version += 1;
  for (const seed of submission.chunks) {
    if (!seed.ruleName) {
      result.rejectedChunks += 1;
      result.rejectionReasons.push('chunk missing rule_name');
      continue;
    }
    if (seed.ruleName.startsWith('_provider_')) {
      result.rejectedChunks += 1;
      result.rejectionReasons.push(`chunk '${seed.ruleName}' uses reserved '_provider_' rule-name prefix`);
      continue;
    }
    if (!seed.rule) {
      result.rejectedChunks += 1;
      result.rejectionReasons.push(`chunk '${seed.ruleName}' missing proposed_rule`);
      continue;
    }
    const rule = normalizeRule(seed.rule);
    const key = chunkKey(rule);
    const record: DraftChunkRecord = {
      id: randomUUID(),
      status: 'pending',
      ruleName: seed.ruleName,
      rule,
      rationale: seed.rationale ?? '',
      securityNotes: generateSecurityNotes(key.host, key.port > 65535 ? 0 : key.port),
      confidence: Math.fround(Math.min(1, Math.max(0, seed.confidence ?? 0))),
      createdAtMs: nowMs,
      decidedAtMs: null,
      host: key.host,
      port: key.port,
      binary: key.binary,
      hitCount: Math.min(100, Math.max(1, seed.hitCount ?? 1)),
      firstSeenMs: seed.firstSeenMs && seed.firstSeenMs > 0 ? seed.firstSeenMs : nowMs,
      lastSeenMs: seed.lastSeenMs && seed.lastSeenMs > 0 ? seed.lastSeenMs : nowMs,
      rejectionReason: '',
      seq: (sequence += 1),
    };
    ledger.chunks.push(record);
    result.acceptedChunks += 1;
    result.acceptedChunkIds.push(record.id);
    const keyed = record.host !== '' && record.port !== 0 && record.binary !== '';
    // The latest submission for an endpoint wins: older pending chunks for it are stale.
    for (const other of ledger.chunks) {
      if (!keyed || other === record || other.status !== 'pending') continue;
      if (other.host === record.host && other.port === record.port && other.binary === record.binary) {
        Object.assign(other, { status: 'rejected', decidedAtMs: nowMs, rejectionReason: `superseded by chunk ${record.id}` });
      }
    }
    if (keyed && mode === 'mechanistic') {
      const covering = ledger.chunks.find(
        (c) => c !== record && c.status === 'approved' && c.host === record.host && c.port === record.port && c.binary === record.binary,
      );
      if (covering) {
        Object.assign(record, {
          status: 'rejected',
          decidedAtMs: nowMs,
          rejectionReason: `already covered by approved chunk ${covering.id} (agent_authored or prior auto-approval)`,
        });
      }
    }
  }
  return result;
}

/** `list_draft_chunks`: newest first, optionally one status. */
export function listChunks(ledger: DraftLedger, status = ''): DraftChunkRecord[] {
  return ledger.chunks
    .filter((chunk) => status === '' || chunk.status === status)
    .sort((a, b) => b.createdAtMs - a.createdAtMs || b.seq - a.seq);
}

export function findChunk(ledger: DraftLedger, chunkId: string): DraftChunkRecord {
  const chunk = ledger.chunks.find((candidate) => candidate.id === chunkId);
  if (!chunk) throw new DraftGatewayError('NOT_FOUND', 'chunk not found');
  return chunk;
}

function requireStatus(chunk: DraftChunkRecord, allowed: readonly DraftStatus[]): void {
  if (!allowed.includes(chunk.status)) {
    const expected = allowed.map((s) => `'${s}'`).join(' or ');
    throw new DraftGatewayError('FAILED_PRECONDITION', `chunk status is '${chunk.status}', expected ${expected}`);
  }
}

/** Merges `chunk`'s rule into `policy` (ShoreGuard dict form); the caller writes it as a revision. */
export function policyWithChunk(policy: PolicyDict | null, chunk: DraftChunkRecord): PolicyDict {
  return normalizePolicy(addRuleToPolicy(policy ?? {}, chunk.ruleName, chunk.rule) as PolicyDict);
}

export function policyWithoutChunk(policy: PolicyDict | null, chunk: DraftChunkRecord): PolicyDict {
  return normalizePolicy(removeBinaryFromPolicy(policy ?? {}, chunk.ruleName, chunk.binary) as PolicyDict);
}

export function assertApprovable(chunk: DraftChunkRecord): void {
  requireStatus(chunk, ['pending', 'rejected']);
}

export function assertRejectable(chunk: DraftChunkRecord): void {
  requireStatus(chunk, ['pending', 'approved']);
}

export function assertUndoable(chunk: DraftChunkRecord): void {
  requireStatus(chunk, ['approved']);
}

export function assertEditable(chunk: DraftChunkRecord): void {
  requireStatus(chunk, ['pending']);
}

export function decide(chunk: DraftChunkRecord, status: DraftStatus, nowMs: number, reason = ''): void {
  chunk.status = status;
  chunk.decidedAtMs = status === 'pending' ? null : nowMs;
  chunk.rejectionReason = reason;
}

/** `GetDraftHistory`: one `proposed` entry per chunk, plus its decision, sorted by time. */
export function historyEntries(ledger: DraftLedger): Array<Record<string, unknown>> {
  const entries: Array<{ entry: Record<string, unknown>; at: number }> = [];
  for (const chunk of listChunks(ledger)) {
    const percent = (chunk.confidence * 100).toFixed(0);
    entries.push({
      at: chunk.createdAtMs,
      entry: { timestamp_ms: chunk.createdAtMs, event_type: 'proposed', description: `Rule '${chunk.ruleName}' proposed (confidence: ${percent}%)`, chunk_id: chunk.id },
    });
    if (chunk.decidedAtMs !== null) {
      entries.push({
        at: chunk.decidedAtMs,
        entry: { timestamp_ms: chunk.decidedAtMs, event_type: chunk.status, description: `Rule '${chunk.ruleName}' ${chunk.status}`, chunk_id: chunk.id },
      });
    }
  }
  // A stable sort, like Rust's sort_by_key.
  return entries.map((item, index) => ({ ...item, index })).sort((a, b) => a.at - b.at || a.index - b.index).map((item) => item.entry);
}
