// A fake OpenShell gateway (gRPC, plaintext, 127.0.0.1) for running the REAL ShoreGuard against:
// ShoreGuard proxies policy export/apply/pin to a gateway, so without one those paths cannot run.
// Implements what ShoreGuard 0.40.0 calls for gateway registration/health, sandbox listing, the
// GitOps/pin flows and the draft-policy approval flow (SubmitPolicyAnalysis, GetDraftPolicy,
// Approve/Reject/ApproveAll/Edit/Undo/ClearDraftChunks, GetDraftHistory, with OpenShell's merge
// semantics: an approved chunk's rule is merged into the policy as a new revision); every other
// RPC answers UNIMPLEMENTED (and is recorded, so tests can see it).
import * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import {
  FakeGatewayError,
  MergeOperationSchema,
  policyHash,
  PolicyStore,
  SandboxPolicySchema,
  type PolicyRevision,
  type SandboxPolicy,
  type SandboxRecord,
} from './policy-store';
import { loadOpenShellProtos, type AnyMethod } from './protos';
import {
  assertApprovable,
  assertEditable,
  assertRejectable,
  assertUndoable,
  decide,
  DraftGatewayError,
  findChunk,
  historyEntries,
  listChunks,
  submitToLedger,
  type DraftChunkRecord,
  type DraftLedger,
  type ProposalSubmission,
  type SubmissionResult,
} from '../../../emulator/drafts';
import { addRuleToPolicy, removeBinaryFromPolicy } from '../../../emulator/policy/openshell-draft';
import type { PolicyDict } from '../../../emulator/policy/model';

export { FakeGatewayError, policyHash, PolicyStore } from './policy-store';
export type { NetworkPolicyRule, PolicyRevision, SandboxPolicy } from './policy-store';
export { DEFAULT_PROTO_JSON_PATH, ProtoDefinitionsMissingError } from './protos';

export interface FakeOpenShellOptions {
  /** 0 (default) picks a free port. The fake always binds 127.0.0.1. */
  port?: number;
  /** protobufjs JSON of the OpenShell protos, dumped by scripts/real-shoreguard/setup.sh. */
  protoJsonPath?: string;
  /** Reported by Health (ShoreGuard shows it as the gateway version). @default 'fake-openshell' */
  version?: string;
}

export interface RevisionInfo {
  version: number;
  policy_hash: string;
}

export interface FakeOpenShell {
  /** `127.0.0.1:PORT`, the form ShoreGuard's register endpoint accepts. */
  readonly endpoint: string;
  readonly port: number;
  /** Creates sandbox `name` (phase READY); with a policy, also its first (or next) revision. */
  seedSandbox(name: string, policy?: SandboxPolicy, labels?: Record<string, string>): RevisionInfo | undefined;
  /** Writes a revision directly on the gateway, bypassing ShoreGuard (drift / 409 scenarios). */
  editPolicyOutOfBand(name: string, policy: SandboxPolicy): RevisionInfo;
  /** The live (latest) policy, as ShoreGuard would read it; undefined without a revision. */
  getPolicy(name: string): SandboxPolicy | undefined;
  getRevision(name: string): RevisionInfo | undefined;
  /** RPC method names received so far, in order (e.g. 'Health', 'UpdateConfig'). */
  calls(): readonly string[];
  resetCalls(): void;
  /**
   * Submits proposed chunks as an agent in the sandbox does: a `SubmitPolicyAnalysis` call over
   * gRPC to this gateway (from policy.local: `analysis_mode` "agent_authored").
   */
  submitProposal(name: string, submission: ProposalSubmission): Promise<SubmissionResult>;
  /** Health answers UNHEALTHY while false (ShoreGuard then reports the gateway degraded/offline). */
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

const PolicyStatusRequestSchema = z.object({
  name: z.string().default(''),
  version: z.number().default(0),
  global: z.boolean().default(false),
});
const UpdateConfigRequestSchema = z.object({
  name: z.string().default(''),
  policy: SandboxPolicySchema.optional(),
  setting_key: z.string().default(''),
  global: z.boolean().default(false),
  merge_operations: z.array(MergeOperationSchema).default([]),
});
const ListSandboxPoliciesRequestSchema = z.object({
  name: z.string().default(''),
  limit: z.number().default(0),
  offset: z.number().default(0),
  global: z.boolean().default(false),
});
const GetSandboxRequestSchema = z.object({ name: z.string().default('') });
const ListSandboxesRequestSchema = z.object({ limit: z.number().default(0), offset: z.number().default(0) });
const ListSandboxProvidersRequestSchema = z.object({ sandbox_name: z.string().default('') });
const DraftRequestSchema = z.looseObject({
  name: z.string().default(''),
  chunk_id: z.string().default(''),
  status_filter: z.string().default(''),
  reason: z.string().default(''),
  include_security_flagged: z.boolean().default(false),
  proposed_rule: z.record(z.string(), z.unknown()).optional(),
});
const ProposedChunkSchema = z.looseObject({
  rule_name: z.string().default(''),
  proposed_rule: z.record(z.string(), z.unknown()).optional(),
  rationale: z.string().default(''),
  confidence: z.number().default(0),
  hit_count: z.number().default(0),
  first_seen_ms: z.number().default(0),
  last_seen_ms: z.number().default(0),
});
const SubmitPolicyAnalysisRequestSchema = z.looseObject({
  name: z.string().default(''),
  analysis_mode: z.string().default(''),
  proposed_chunks: z.array(ProposedChunkSchema).default([]),
});

/** PolicyChunk as the gateway returns it (`draft_chunk_record_to_proto`). */
function chunkMessage(chunk: DraftChunkRecord): Record<string, unknown> {
  return {
    id: chunk.id,
    status: chunk.status,
    rule_name: chunk.ruleName,
    proposed_rule: chunk.rule,
    rationale: chunk.rationale,
    security_notes: chunk.securityNotes,
    confidence: chunk.confidence,
    created_at_ms: chunk.createdAtMs,
    decided_at_ms: chunk.decidedAtMs ?? 0,
    hit_count: chunk.hitCount,
    first_seen_ms: chunk.firstSeenMs,
    last_seen_ms: chunk.lastSeenMs,
    binary: chunk.binary,
    rejection_reason: chunk.rejectionReason,
  };
}

const GRPC_STATUS: Record<FakeGatewayError['code'], grpc.status> = {
  NOT_FOUND: grpc.status.NOT_FOUND,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
};

type UnaryHandler = (request: unknown) => unknown;

function sandboxMessage(sandbox: SandboxRecord, store: PolicyStore): Record<string, unknown> {
  const latest = store.latest(sandbox.name);
  return {
    metadata: {
      id: sandbox.id,
      name: sandbox.name,
      created_at_ms: sandbox.created_at_ms,
      labels: sandbox.labels,
      resource_version: sandbox.resource_version,
    },
    spec: latest ? { policy: latest.policy } : {},
    status: {
      sandbox_name: sandbox.name,
      phase: 'SANDBOX_PHASE_READY',
      current_policy_version: latest?.version ?? 0,
    },
  };
}

function parseRequest<T extends z.ZodType>(schema: T, request: unknown): z.infer<T> {
  const parsed = schema.safeParse(request);
  if (!parsed.success) {
    throw new FakeGatewayError('INVALID_ARGUMENT', `fake OpenShell: malformed request: ${parsed.error.message}`);
  }
  return parsed.data;
}

export async function startFakeOpenShell(options: FakeOpenShellOptions = {}): Promise<FakeOpenShell> {
  const protos = loadOpenShellProtos(options.protoJsonPath);
  const store = new PolicyStore();
  const received: string[] = [];
  let healthy = true;

  // Seeded policies take the same encode/decode trip as ones ShoreGuard sends, so hashes and
  // field presence are identical whichever way a policy arrived.
  const updateConfig = protos.openShell.UpdateConfig as AnyMethod;
  const normalizePolicy = (policy: SandboxPolicy): SandboxPolicy => {
    const wire = updateConfig.requestSerialize({ name: 'normalize', policy });
    const decoded = parseRequest(UpdateConfigRequestSchema, updateConfig.requestDeserialize(wire));
    return decoded.policy ?? {};
  };

  // Draft ledgers per sandbox name (OpenShell keys them by sandbox id; names are unique here).
  const ledgers = new Map<string, DraftLedger>();
  const ledgerOf = (name: string): DraftLedger => {
    store.get(name);
    let ledger = ledgers.get(name);
    if (!ledger) {
      ledger = { version: 0, chunks: [] };
      ledgers.set(name, ledger);
    }
    return ledger;
  };
  const draftRequest = (request: unknown, needsChunk: boolean) => {
    const req = parseRequest(DraftRequestSchema, request);
    if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
    if (needsChunk && !req.chunk_id) throw new FakeGatewayError('INVALID_ARGUMENT', 'chunk_id is required');
    return req;
  };
  // `apply_merge_operations_with_retry`: same content → the latest revision; no revision and no change → version 0.
  const writeMerged = (name: string, change: (policy: SandboxPolicy) => SandboxPolicy): RevisionInfo => {
    const latest = store.latest(name);
    const base: SandboxPolicy = structuredClone(latest?.policy ?? {});
    const merged = normalizePolicy(change(base));
    if (!latest && policyHash(merged) === policyHash(normalizePolicy({}))) return { version: 0, policy_hash: policyHash(merged) };
    const revision = store.writePolicy(name, merged);
    return { version: revision.version, policy_hash: revision.policy_hash };
  };

  const unary: Record<string, UnaryHandler> = {
    Health: () => {
      return {
        status: healthy ? 'SERVICE_STATUS_HEALTHY' : 'SERVICE_STATUS_UNHEALTHY',
        version: options.version ?? 'fake-openshell',
      };
    },
    GetSandboxPolicyStatus: (request) => {
      const req = parseRequest(PolicyStatusRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global policy is not implemented');
      if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
      const revision = store.revision(req.name, req.version);
      return { revision, active_version: store.latest(req.name)?.version ?? 0 };
    },
    UpdateConfig: (request) => {
      const req = parseRequest(UpdateConfigRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global scope is not implemented');
      const chosen = [req.policy !== undefined, req.setting_key !== '', req.merge_operations.length > 0];
      if (chosen.filter(Boolean).length !== 1) {
        throw new FakeGatewayError(
          'INVALID_ARGUMENT',
          'exactly one of policy, setting_key or merge_operations must be set',
        );
      }
      if (req.setting_key) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: settings are not implemented');
      if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
      store.get(req.name);
      const revision = req.policy
        ? store.writePolicy(req.name, req.policy)
        : store.mergePolicy(req.name, req.merge_operations);
      return { version: revision.version, policy_hash: revision.policy_hash };
    },
    ListSandboxPolicies: (request) => {
      const req = parseRequest(ListSandboxPoliciesRequestSchema, request);
      if (req.global) throw new FakeGatewayError('UNIMPLEMENTED', 'fake OpenShell: global policy is not implemented');
      return { revisions: store.history(req.name, req.limit, req.offset) };
    },
    GetSandbox: (request) => {
      const req = parseRequest(GetSandboxRequestSchema, request);
      return { sandbox: sandboxMessage(store.get(req.name), store) };
    },
    ListSandboxes: (request) => {
      const req = parseRequest(ListSandboxesRequestSchema, request);
      const all = store.list();
      const page = all.slice(req.offset, req.limit > 0 ? req.offset + req.limit : undefined);
      return { sandboxes: page.map((sandbox) => sandboxMessage(sandbox, store)) };
    },
    // ShoreGuard's usage metering / inventory walk calls this for every sandbox once a minute.
    ListSandboxProviders: (request) => {
      store.get(parseRequest(ListSandboxProvidersRequestSchema, request).sandbox_name);
      return { providers: [] };
    },
    SubmitPolicyAnalysis: (request) => {
      const req = parseRequest(SubmitPolicyAnalysisRequestSchema, request);
      if (!req.name) throw new FakeGatewayError('INVALID_ARGUMENT', 'name is required');
      const chunks = req.proposed_chunks.map((chunk) => ({
        ruleName: chunk.rule_name,
        rule: (chunk.proposed_rule as PolicyDict | undefined) ?? null,
        rationale: chunk.rationale,
        confidence: chunk.confidence,
        hitCount: chunk.hit_count,
        firstSeenMs: chunk.first_seen_ms,
        lastSeenMs: chunk.last_seen_ms,
      }));
      const result = submitToLedger(ledgerOf(req.name), { analysisMode: req.analysis_mode, chunks }, Date.now(), (rule) => rule);
      return {
        accepted_chunks: result.acceptedChunks,
        rejected_chunks: result.rejectedChunks,
        rejection_reasons: result.rejectionReasons,
        accepted_chunk_ids: result.acceptedChunkIds,
      };
    },
    GetDraftPolicy: (request) => {
      const req = draftRequest(request, false);
      const ledger = ledgerOf(req.name);
      const chunks = listChunks(ledger, req.status_filter);
      return {
        chunks: chunks.map(chunkMessage),
        rolling_summary: '',
        draft_version: ledger.version,
        last_analyzed_at_ms: chunks.reduce((max, chunk) => Math.max(max, chunk.createdAtMs), 0),
      };
    },
    ApproveDraftChunk: (request) => {
      const req = draftRequest(request, true);
      const chunk = findChunk(ledgerOf(req.name), req.chunk_id);
      assertApprovable(chunk);
      const revision = writeMerged(req.name, (policy) => addRuleToPolicy(policy, chunk.ruleName, chunk.rule));
      decide(chunk, 'approved', Date.now());
      return { policy_version: revision.version, policy_hash: revision.policy_hash };
    },
    RejectDraftChunk: (request) => {
      const req = draftRequest(request, true);
      const chunk = findChunk(ledgerOf(req.name), req.chunk_id);
      assertRejectable(chunk);
      if (chunk.status === 'approved') writeMerged(req.name, (policy) => removeBinaryFromPolicy(policy, chunk.ruleName, chunk.binary));
      decide(chunk, 'rejected', Date.now(), req.reason);
      return {};
    },
    ApproveAllDraftChunks: (request) => {
      const req = draftRequest(request, false);
      const pending = listChunks(ledgerOf(req.name), 'pending');
      if (pending.length === 0) throw new FakeGatewayError('FAILED_PRECONDITION', 'no pending chunks to approve');
      let approved = 0;
      let skipped = 0;
      let last = { version: 0, policy_hash: '' };
      for (const chunk of pending) {
        if (!req.include_security_flagged && chunk.securityNotes !== '') {
          skipped += 1;
          continue;
        }
        last = writeMerged(req.name, (policy) => addRuleToPolicy(policy, chunk.ruleName, chunk.rule));
        decide(chunk, 'approved', Date.now());
        approved += 1;
      }
      return { policy_version: last.version, policy_hash: last.policy_hash, chunks_approved: approved, chunks_skipped: skipped };
    },
    EditDraftChunk: (request) => {
      const req = draftRequest(request, true);
      if (!req.proposed_rule) throw new FakeGatewayError('INVALID_ARGUMENT', 'proposed_rule is required');
      const chunk = findChunk(ledgerOf(req.name), req.chunk_id);
      assertEditable(chunk);
      chunk.rule = req.proposed_rule as PolicyDict;
      return {};
    },
    UndoDraftChunk: (request) => {
      const req = draftRequest(request, true);
      const chunk = findChunk(ledgerOf(req.name), req.chunk_id);
      assertUndoable(chunk);
      const revision = writeMerged(req.name, (policy) => removeBinaryFromPolicy(policy, chunk.ruleName, chunk.binary));
      decide(chunk, 'pending', Date.now());
      return { policy_version: revision.version, policy_hash: revision.policy_hash };
    },
    ClearDraftChunks: (request) => {
      const ledger = ledgerOf(draftRequest(request, false).name);
      const before = ledger.chunks.length;
      ledger.chunks = ledger.chunks.filter((chunk) => chunk.status !== 'pending');
      return { chunks_cleared: before - ledger.chunks.length };
    },
    GetDraftHistory: (request) => ({ entries: historyEntries(ledgerOf(draftRequest(request, false).name)) }),
  };

  const toServiceError = (error: unknown): Partial<grpc.ServiceError> =>
    error instanceof DraftGatewayError
      ? { code: GRPC_STATUS[error.grpcCode], details: error.message }
      : error instanceof FakeGatewayError
      ? { code: GRPC_STATUS[error.code], details: error.message }
      : { code: grpc.status.INTERNAL, details: `fake OpenShell: ${error instanceof Error ? error.message : String(error)}` };

  const buildHandlers = (service: grpc.ServiceDefinition): grpc.UntypedServiceImplementation => {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [methodName, method] of Object.entries(service)) {
      const implementation = unary[methodName];
      if (implementation && !method.requestStream && !method.responseStream) {
        handlers[methodName] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          received.push(methodName);
          try {
            callback(null, implementation(call.request));
          } catch (error) {
            callback(toServiceError(error));
          }
        };
      } else {
        // Recorded, then UNIMPLEMENTED: what a real gateway older than ShoreGuard's pin would say.
        const unimplemented = { code: grpc.status.UNIMPLEMENTED, details: `fake OpenShell: ${methodName} is not implemented` };
        handlers[methodName] = method.responseStream || method.requestStream
          ? (call: grpc.ServerWritableStream<unknown, unknown>) => {
              received.push(methodName);
              call.emit('error', unimplemented);
            }
          : (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
              received.push(methodName);
              callback(unimplemented);
            };
      }
    }
    return handlers;
  };

  const server = new grpc.Server();
  server.addService(protos.openShell, buildHandlers(protos.openShell));
  server.addService(protos.inference, buildHandlers(protos.inference));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  // The agent's side: a plain gRPC client of this gateway, so the submission takes the real wire path.
  const OpenShellClient = grpc.makeGenericClientConstructor(protos.openShell, 'OpenShell');
  const submitOverGrpc = (endpoint: string, name: string, submission: ProposalSubmission): Promise<SubmissionResult> =>
    new Promise((resolve, reject) => {
      const client = new OpenShellClient(endpoint, grpc.credentials.createInsecure());
      const request = {
        name,
        analysis_mode: submission.analysisMode ?? 'agent_authored',
        proposed_chunks: submission.chunks.map((chunk) => ({
          id: '',
          status: 'pending',
          rule_name: chunk.ruleName,
          ...(chunk.rule ? { proposed_rule: chunk.rule } : {}),
          rationale: chunk.rationale ?? '',
          confidence: chunk.confidence ?? 0,
          stage: (chunk.confidence ?? 0) > 0 ? 'agent' : '',
          hit_count: chunk.hitCount ?? 1,
          first_seen_ms: chunk.firstSeenMs ?? 0,
          last_seen_ms: chunk.lastSeenMs ?? 0,
          binary: typeof chunk.rule?.['binaries'] === 'object' && Array.isArray(chunk.rule['binaries']) ? String((chunk.rule['binaries'][0] as { path?: unknown } | undefined)?.path ?? '') : '',
        })),
      };
      const method = client['SubmitPolicyAnalysis'] as (req: unknown, cb: (error: grpc.ServiceError | null, response: unknown) => void) => void;
      method.call(client, request, (error, response) => {
        client.close();
        if (error) return reject(error);
        const parsed = z
          .object({
            accepted_chunks: z.number().default(0),
            rejected_chunks: z.number().default(0),
            rejection_reasons: z.array(z.string()).default([]),
            accepted_chunk_ids: z.array(z.string()).default([]),
          })
          .parse(response);
        resolve({
          acceptedChunks: parsed.accepted_chunks,
          rejectedChunks: parsed.rejected_chunks,
          rejectionReasons: parsed.rejection_reasons,
          acceptedChunkIds: parsed.accepted_chunk_ids,
        });
      });
    });

  const revisionInfo = (revision: PolicyRevision): RevisionInfo => ({
    version: revision.version,
    policy_hash: revision.policy_hash,
  });

  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    seedSandbox(name, policy, labels) {
      store.createSandbox(name, undefined, labels);
      return policy ? revisionInfo(store.writePolicy(name, normalizePolicy(policy))) : undefined;
    },
    editPolicyOutOfBand(name, policy) {
      return revisionInfo(store.writePolicy(name, normalizePolicy(policy)));
    },
    getPolicy(name) {
      return store.has(name) ? structuredClone(store.latest(name)?.policy) : undefined;
    },
    getRevision(name) {
      const latest = store.has(name) ? store.latest(name) : undefined;
      return latest ? revisionInfo(latest) : undefined;
    },
    submitProposal: (name, submission) => submitOverGrpc(`127.0.0.1:${port}`, name, submission),
    calls: () => [...received],
    resetCalls() {
      received.length = 0;
    },
    setHealthy(value) {
      healthy = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // ShoreGuard keeps its channel open; don't wait for it to hang up.
        setTimeout(() => server.forceShutdown(), 2000).unref();
      }),
  };
}
