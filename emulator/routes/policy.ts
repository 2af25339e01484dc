/**
 * Policy reads and the GitOps endpoints under `/api/gateways/{gw}/sandboxes/{name}/policy` (§10):
 * the snapshot, revisions, export, and apply with its exact processing order (§10.5).
 */
import { jsonReply, ProblemError, type Reply } from '../core/http';
import { pyEquals, pyTruthy, type PyValue } from '../core/python';
import { validateBody, type ModelSpec, type ValidatedModel } from '../core/validation';
import { defineRoute, type RequestContext } from '../http/router';
import { diffPolicy, isEmptyDiff, type PolicyDiff } from '../policy/diff';
import { parsePolicyDocument, PolicyYamlError, renderPolicyDocument } from '../policy/document';
import { applyChunkId } from '../policy/hash';
import { applyMergeOperations, computeMergeOperations, UnsupportedMergeError, type MergeOperation } from '../policy/merge';
import { normalizePolicy, type PolicyDict } from '../policy/model';
import {
  APPLY_PIPELINE,
  applyResultBody,
  freshTimestamp,
  mergeUnsupportedDetail,
  versionMismatchBody,
  voteRecordedBody,
  WRITE_RATE_LIMIT_DETAIL,
} from '../quirks';
import { sandboxKey, type SandboxRecord } from '../state';
import { actorOf, gatewayOf, intQueryParam, requirePolicySnapshot, requireSandbox } from './common';
import { checkPolicyPin } from './pins';
import { recordApproveVote } from './workflows';

const APPLY_REQUEST: ModelSpec = {
  yaml: { spec: { kind: 'str' }, required: true },
  dry_run: { spec: { kind: 'bool' }, default: false },
  expected_version: { spec: { kind: 'str' }, nullable: true },
  mode: { spec: { kind: 'literal', values: ['replace', 'merge'] }, default: 'replace' },
};

interface ApplyRequest {
  yaml: string;
  dryRun: boolean;
  expectedVersion: string | null;
  mode: 'replace' | 'merge';
}

/** What the apply steps share while the request moves through `APPLY_PIPELINE`. */
interface ApplyRun {
  context: RequestContext;
  request: ApplyRequest;
  gateway: string;
  sandboxName: string;
  sandbox?: SandboxRecord;
  newPolicy?: PolicyDict;
  expected?: PyValue;
  currentPolicy?: PolicyDict;
  currentHash?: string;
  diff?: PolicyDiff;
  mergeOperations?: MergeOperation[];
}

type ApplyStep = (run: ApplyRun) => Reply | undefined;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`apply pipeline: ${what} is not available yet`);
  return value;
}

const APPLY_STEPS: Record<(typeof APPLY_PIPELINE)[number], ApplyStep> = {
  'write-rate-limit': (run) => {
    const retryAfter = run.context.writeLimiter?.hit(actorOf(run.context)) ?? null;
    if (retryAfter !== null) {
      throw new ProblemError(429, WRITE_RATE_LIMIT_DETAIL, { headers: { 'retry-after': String(retryAfter) } });
    }
    return undefined;
  },
  'pin-check': (run) => {
    checkPolicyPin(run.context.state, run.gateway, run.sandboxName);
    return undefined;
  },
  'parse-yaml': (run) => {
    try {
      const document = parsePolicyDocument(run.request.yaml);
      run.newPolicy = document.policy;
      // `body.expected_version or metadata.get("policy_hash")`
      run.expected = run.request.expectedVersion || ((document.metadata['policy_hash'] as PyValue | undefined) ?? null);
    } catch (error) {
      if (error instanceof PolicyYamlError) throw new ProblemError(400, error.message);
      throw error;
    }
    return undefined;
  },
  'read-snapshot': (run) => {
    const { sandbox, snapshot } = requirePolicySnapshot(run.context, run.sandboxName);
    run.sandbox = sandbox;
    run.currentPolicy = snapshot.policy ?? {};
    run.currentHash = snapshot.revision.policy_hash;
    return undefined;
  },
  'optimistic-lock': (run) => {
    const currentHash = required(run.currentHash, 'current hash');
    if (pyTruthy(run.expected) && !pyEquals(run.expected, currentHash)) {
      return jsonReply(409, versionMismatchBody(currentHash, run.expected));
    }
    return undefined;
  },
  diff: (run) => {
    run.diff = diffPolicy(required(run.currentPolicy, 'current policy'), required(run.newPolicy, 'new policy'));
    return undefined;
  },
  'dry-run': (run) =>
    run.request.dryRun ? jsonReply(200, applyResultBody('dry_run', required(run.currentHash, 'hash'), run.diff)) : undefined,
  'up-to-date': (run) =>
    isEmptyDiff(required(run.diff, 'diff'))
      ? jsonReply(200, applyResultBody('up_to_date', required(run.currentHash, 'hash'), run.diff))
      : undefined,
  'workflow-gate': (run) => {
    const state = run.context.state;
    const key = sandboxKey(run.gateway, run.sandboxName);
    const workflow = state.workflows.get(key);
    if (!workflow) return undefined;
    const chunkId = applyChunkId(run.request.yaml);
    const proposalKey = JSON.stringify([run.gateway, run.sandboxName, chunkId]);
    const actor = actorOf(run.context);
    state.proposals.set(proposalKey, {
      gatewayName: run.gateway,
      sandboxName: run.sandboxName,
      chunkId,
      yamlText: run.request.yaml,
      expectedHash: required(run.currentHash, 'hash'),
      proposedBy: actor,
      proposedAt: state.nowMicros(),
    });
    const vote = recordApproveVote(state, workflow, chunkId, actor, run.context.role ?? 'viewer');
    if (!vote.quorumMet) {
      return jsonReply(
        202,
        voteRecordedBody(required(run.currentHash, 'hash'), run.diff, workflow.requiredApprovals, vote.approveVotes, chunkId),
      );
    }
    state.proposals.delete(proposalKey);
    return undefined;
  },
  'merge-operations': (run) => {
    if (run.request.mode !== 'merge') return undefined;
    try {
      run.mergeOperations = computeMergeOperations(required(run.currentPolicy, 'current policy'), required(run.newPolicy, 'new policy'));
    } catch (error) {
      if (error instanceof UnsupportedMergeError) throw new ProblemError(400, mergeUnsupportedDetail(error.message));
      throw error;
    }
    return undefined;
  },
  write: (run) => {
    const state = run.context.state;
    const sandbox = required(run.sandbox, 'sandbox');
    const stored = state.latestRevision(sandbox)?.policy ?? { version: 0 };
    const next = run.mergeOperations
      ? applyMergeOperations(stored, run.mergeOperations)
      : normalizePolicy(required(run.newPolicy, 'new policy'));
    const revision = state.writePolicy(sandbox, next);
    return jsonReply(200, applyResultBody('applied', required(run.currentHash, 'hash'), run.diff, revision.policyHash));
  },
};

function applyPolicy(context: RequestContext, request: ApplyRequest): Reply {
  const run: ApplyRun = { context, request, gateway: gatewayOf(context), sandboxName: context.params['name'] ?? '' };
  for (const step of APPLY_PIPELINE) {
    const reply = APPLY_STEPS[step](run);
    if (reply) return reply;
  }
  throw new Error('apply pipeline ended without a reply');
}

function revisionSummary(revision: SandboxRecord['revisions'][number], latest: number): Record<string, unknown> {
  return {
    version: revision.version,
    status: revision.version === latest ? 'loaded' : 'superseded',
    policy_hash: revision.policyHash,
    created_at_ms: revision.createdAtMs,
    loaded_at_ms: revision.loadedAtMs,
    load_error: '',
  };
}

const POLICY_BASE = '/api/gateways/{gw}/sandboxes/{name}/policy';

export const policyRoutes = [
  defineRoute({
    method: 'GET',
    path: POLICY_BASE,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context): Reply => {
      const { snapshot } = requirePolicySnapshot(context, context.params['name'] ?? '');
      return jsonReply(200, snapshot);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${POLICY_BASE}/revisions`,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    parse: (context, errors) => ({
      limit: intQueryParam(context, errors, 'limit', 50, { ge: 1, le: 1000 }),
      offset: intQueryParam(context, errors, 'offset', 0, { ge: 0 }),
    }),
    handle: (context, page: { limit: number; offset: number }) => {
      const sandbox = requireSandbox(context, context.params['name'] ?? '');
      const latest = context.state.latestRevision(sandbox)?.version ?? 0;
      const newestFirst = [...sandbox.revisions].reverse();
      return jsonReply(
        200,
        newestFirst.slice(page.offset, page.offset + page.limit).map((revision) => revisionSummary(revision, latest)),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${POLICY_BASE}/export`,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context) => {
      const name = context.params['name'] ?? '';
      const { snapshot } = requirePolicySnapshot(context, name);
      const gateway = gatewayOf(context);
      const yaml = renderPolicyDocument(snapshot.policy ?? {}, {
        gateway,
        sandbox: name,
        version: snapshot.active_version,
        policyHash: snapshot.revision.policy_hash,
        exportedAt: freshTimestamp(context.state.nowMicros()),
      });
      return jsonReply(200, {
        yaml,
        gateway,
        sandbox: name,
        version: snapshot.active_version,
        policy_hash: snapshot.revision.policy_hash,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${POLICY_BASE}/apply`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    jsonBody: true,
    gatewayClient: true,
    parse: (context, errors): ApplyRequest => {
      const body: ValidatedModel = validateBody(APPLY_REQUEST, context.body, errors);
      const values = body.values;
      return {
        yaml: String(values['yaml'] ?? ''),
        dryRun: Boolean(values['dry_run']),
        expectedVersion: (values['expected_version'] as string | null | undefined) ?? null,
        mode: values['mode'] === 'merge' ? 'merge' : 'replace',
      };
    },
    handle: (context, request: ApplyRequest) => applyPolicy(context, request),
  }),
];
