/**
 * Draft-policy approvals under `/api/gateways/{gw}/sandboxes/{name}/approvals` (ShoreGuard 0.40.0
 * `api/routes/approvals.py` over the gateway's draft RPCs) and the admin audit log read-out.
 * ShoreGuard's layer: pin check (approve, approve-all), workflow votes (202 until quorum, one
 * reject ends the chunk, approve-all admin-only under a workflow), audit rows, the chunk dict
 * (`_chunk_to_dict`) enriched with `denial_context` and `narrowness`. The gateway's layer is
 * emulator/drafts.ts.
 */
import { jsonReply, ProblemError, type Reply } from '../core/http';
import { isPyDict, type PyValue } from '../core/python';
import { validateBody, validateParam, type ModelSpec, type ValidatedModel } from '../core/validation';
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
  policyWithChunk,
  policyWithoutChunk,
  type DraftChunkRecord,
  type DraftLedger,
} from '../drafts';
import { defineRoute, type RequestContext } from '../http/router';
import { normalizeNetworkRule, type PolicyDict } from '../policy/model';
import {
  type AuditedAction,
  BULK_APPROVE_REFUSED_DETAIL,
  PIN_CHECKED_ACTIONS,
  CHUNK_STAGE,
  clearResponseBody,
  GRPC_FAILED_PRECONDITION_DETAIL,
  GRPC_INVALID_ARGUMENT_DETAIL,
  GRPC_NOT_FOUND_DETAIL,
  storedTimestamp,
} from '../quirks';
import { sandboxKey, type SandboxRecord } from '../state';
import { actorOf, gatewayOf, intQueryParam, requireSandbox } from './common';
import { checkPolicyPin } from './pins';
import { recordVote } from './workflows';

const BASE = '/api/gateways/{gw}/sandboxes/{name}/approvals';

// ─── Chunk rendering (`_chunk_to_dict` + enrichment) ─────────────────────────────────────────

function endpointBody(endpoint: PyValue): Record<string, PyValue> {
  const ep = isPyDict(endpoint) ? endpoint : {};
  const out: Record<string, PyValue> = { host: ep['host'] ?? '', port: ep['port'] ?? 0 };
  for (const key of ['protocol', 'tls', 'enforcement', 'access']) if (ep[key]) out[key] = ep[key] as PyValue;
  const rules = Array.isArray(ep['rules']) ? ep['rules'] : [];
  if (rules.length > 0) {
    out['rules'] = rules.map((rule) => {
      const allow = isPyDict(rule) && isPyDict(rule['allow']) ? rule['allow'] : {};
      return { allow: { method: allow['method'] ?? '', path: allow['path'] ?? '', command: allow['command'] ?? '' } };
    });
  }
  if (Array.isArray(ep['allowed_ips']) && ep['allowed_ips'].length > 0) out['allowed_ips'] = [...ep['allowed_ips']];
  if (Array.isArray(ep['ports']) && ep['ports'].length > 0) out['ports'] = [...ep['ports']];
  return out;
}

function ruleBody(rule: PolicyDict): Record<string, PyValue> {
  const endpoints = Array.isArray(rule['endpoints']) ? rule['endpoints'] : [];
  const binaries = Array.isArray(rule['binaries']) ? rule['binaries'] : [];
  return {
    name: rule['name'] ?? '',
    endpoints: endpoints.map(endpointBody),
    binaries: binaries.map((binary) => ({ path: isPyDict(binary) ? (binary['path'] ?? '') : '' })),
  };
}

const BROAD_HOSTS = new Set(['*', '**', '*.*']);
const BROAD_PATHS = new Set(['*', '**', '/*', '/**', '/', '']);

/** `policy_simulator.assess_chunk`: the breadth badge ShoreGuard adds to listed chunks. */
function narrowness(rule: Record<string, PyValue>): Record<string, PyValue> {
  const endpoints = Array.isArray(rule['endpoints']) ? rule['endpoints'] : [];
  if (endpoints.length === 0) return { verdict: 'unknown', reasons: [], over_broad_fields: [] };
  const reasons: string[] = [];
  const fields: string[] = [];
  for (const endpoint of endpoints) {
    if (!isPyDict(endpoint)) continue;
    const host = String(endpoint['host'] ?? '');
    const h = host.trim().toLowerCase();
    if (host && (BROAD_HOSTS.has(h) || h.includes('**'))) {
      reasons.push(`host '${host}' matches any host`);
      fields.push(`host=${host}`);
    }
    const rules = Array.isArray(endpoint['rules']) ? endpoint['rules'] : [];
    for (const rule of rules) {
      const allow = isPyDict(rule) && isPyDict(rule['allow']) ? rule['allow'] : null;
      const path = allow?.['path'];
      if (typeof path !== 'string') continue;
      const p = path.trim();
      const stripped = p.replace(/\/+$/, '');
      if (BROAD_PATHS.has(p) || stripped === '' || stripped === '/**' || stripped === '**') {
        reasons.push(`path '${path}' matches any path`);
        fields.push(`path=${path}`);
      }
    }
  }
  return { verdict: fields.length > 0 ? 'over_broad' : 'narrow', reasons, over_broad_fields: fields };
}

function chunkBody(chunk: DraftChunkRecord, enrich: boolean): Record<string, PyValue> {
  const proposed = ruleBody(chunk.rule);
  const body: Record<string, PyValue> = {
    id: chunk.id,
    status: chunk.status,
    rule_name: chunk.ruleName,
    rationale: chunk.rationale,
    security_notes: chunk.securityNotes,
    confidence: chunk.confidence,
    created_at_ms: chunk.createdAtMs,
    decided_at_ms: chunk.decidedAtMs ?? 0,
    stage: CHUNK_STAGE,
    hit_count: chunk.hitCount,
    first_seen_ms: chunk.firstSeenMs,
    last_seen_ms: chunk.lastSeenMs,
    binary: chunk.binary,
    denial_summary_ids: [],
    proposed_rule: proposed,
  };
  if (enrich) {
    body['denial_context'] = null;
    body['narrowness'] = narrowness(proposed);
  }
  return body;
}

// ─── Gateway calls ───────────────────────────────────────────────────────────────────────────

/** Runs a gateway operation; its gRPC status comes back the way ShoreGuard maps it. */
function upstream<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DraftGatewayError) {
      if (error.grpcCode === 'NOT_FOUND') throw new ProblemError(404, GRPC_NOT_FOUND_DETAIL, { code: 'NOT_FOUND' });
      if (error.grpcCode === 'FAILED_PRECONDITION') throw new ProblemError(409, GRPC_FAILED_PRECONDITION_DETAIL, { code: 'CONFLICT' });
      throw new ProblemError(400, GRPC_INVALID_ARGUMENT_DETAIL, { code: 'VALIDATION_ERROR' });
    }
    throw error;
  }
}

interface SandboxDraft {
  sandbox: SandboxRecord;
  ledger: DraftLedger;
}

function sandboxDraft(context: RequestContext): SandboxDraft {
  const sandbox = requireSandbox(context, context.params['name'] ?? '');
  return { sandbox, ledger: context.state.draftLedger(sandbox) };
}

/** The merge result written as a revision (same content → the latest revision, as on the gateway). */
function writeMerged(context: RequestContext, sandbox: SandboxRecord, policy: PolicyDict): { version: number; hash: string } {
  const revision = context.state.writePolicy(sandbox, policy);
  return { version: revision.version, hash: revision.policyHash };
}

function audit(context: RequestContext, action: AuditedAction, resourceId: string, detail: Record<string, PyValue> | null): void {
  context.state.recordAudit({
    actor: actorOf(context),
    actorRole: context.role ?? 'unknown',
    action,
    resourceType: 'approval',
    resourceId,
    gateway: gatewayOf(context),
    detail,
    clientIp: context.clientIp,
  });
}

/** `_check_policy_pin`, for the actions 0.40.0 guards with it. */
function pinCheck(context: RequestContext, action: string): void {
  if (PIN_CHECKED_ACTIONS.has(action)) checkPolicyPin(context.state, gatewayOf(context), context.params['name'] ?? '');
}

function workflowOf(context: RequestContext) {
  return context.state.workflows.get(sandboxKey(gatewayOf(context), context.params['name'] ?? ''));
}

// ─── Inputs ──────────────────────────────────────────────────────────────────────────────────

const REJECT_REQUEST: ModelSpec = { reason: { spec: { kind: 'str', maxLength: 1000 }, default: '' } };
const APPROVE_ALL_REQUEST: ModelSpec = { include_security_flagged: { spec: { kind: 'bool' }, default: false } };
const EDIT_REQUEST: ModelSpec = { proposed_rule: { spec: { kind: 'dict' }, required: true } };

function waitLoaded(context: RequestContext, errors: Parameters<typeof validateParam>[4]): boolean {
  const raw = context.query.get('wait_loaded') ?? undefined;
  return validateParam('query', 'wait_loaded', { kind: 'bool' }, raw, errors, false) === true;
}

// ─── Routes ──────────────────────────────────────────────────────────────────────────────────

export const approvalRoutes = [
  defineRoute({
    method: 'GET',
    path: BASE,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context): Reply => {
      const { ledger } = sandboxDraft(context);
      const chunks = listChunks(ledger, context.query.get('status_filter') ?? '');
      return jsonReply(200, {
        chunks: chunks.map((chunk) => chunkBody(chunk, true)),
        rolling_summary: '',
        draft_version: ledger.version,
        last_analyzed_at_ms: chunks.reduce((max, chunk) => Math.max(max, chunk.createdAtMs), 0),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/pending`,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context) => {
      const { ledger } = sandboxDraft(context);
      return jsonReply(200, listChunks(ledger, 'pending').map((chunk) => chunkBody(chunk, true)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${BASE}/history`,
    auth: 'required',
    gatewayScoped: true,
    gatewayClient: true,
    handle: (context) => jsonReply(200, historyEntries(sandboxDraft(context).ledger)),
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{chunk_id}/approve`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    gatewayClient: true,
    parse: (context, errors) => waitLoaded(context, errors),
    handle: (context) => {
      const name = context.params['name'] ?? '';
      const chunkId = context.params['chunk_id'] ?? '';
      pinCheck(context, 'approve');
      const workflow = workflowOf(context);
      if (workflow) {
        const vote = recordVote(context.state, workflow, chunkId, actorOf(context), context.role ?? 'viewer', 'approve');
        if (!vote.quorumMet) {
          audit(context, 'approval.vote_cast', chunkId, { sandbox: name, decision: 'approve' });
          return jsonReply(202, { status: 'pending', votes: vote.approveVotes, needed: workflow.requiredApprovals, decisions: vote.decisions });
        }
      }
      const result = upstream(() => {
        const { sandbox, ledger } = sandboxDraft(context);
        const chunk = findChunk(ledger, chunkId);
        assertApprovable(chunk);
        const written = writeMerged(context, sandbox, policyWithChunk(context.state.latestRevision(sandbox)?.policy ?? null, chunk));
        decide(chunk, 'approved', context.state.nowMillis());
        return written;
      });
      audit(context, 'approval.approve', chunkId, { sandbox: name, workflow: workflow !== undefined });
      return jsonReply(200, { policy_version: result.version, policy_hash: result.hash });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{chunk_id}/reject`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    jsonBody: true,
    gatewayClient: true,
    parse: (context, errors) => validateBody(REJECT_REQUEST, context.body, errors, { optional: true }),
    handle: (context, input: ValidatedModel) => {
      const name = context.params['name'] ?? '';
      const chunkId = context.params['chunk_id'] ?? '';
      const reason = String(input.values['reason'] ?? '');
      pinCheck(context, 'reject');
      const workflow = workflowOf(context);
      if (workflow) recordVote(context.state, workflow, chunkId, actorOf(context), context.role ?? 'viewer', 'reject', reason || null);
      upstream(() => {
        const { sandbox, ledger } = sandboxDraft(context);
        const chunk = findChunk(ledger, chunkId);
        assertRejectable(chunk);
        // Rejecting an approved chunk takes its binary back out of the live rule.
        if (chunk.status === 'approved') writeMerged(context, sandbox, policyWithoutChunk(context.state.latestRevision(sandbox)?.policy ?? null, chunk));
        decide(chunk, 'rejected', context.state.nowMillis(), reason);
      });
      audit(context, 'approval.reject', chunkId, { sandbox: name, reason });
      return jsonReply(200, { status: 'rejected' });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/approve-all`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    jsonBody: true,
    gatewayClient: true,
    parse: (context, errors) => {
      const body = validateBody(APPROVE_ALL_REQUEST, context.body, errors, { optional: true });
      waitLoaded(context, errors);
      return body;
    },
    handle: (context, input: ValidatedModel) => {
      const name = context.params['name'] ?? '';
      pinCheck(context, 'approve-all');
      if (workflowOf(context) && context.role !== 'admin') throw new ProblemError(409, BULK_APPROVE_REFUSED_DETAIL);
      const includeFlagged = input.values['include_security_flagged'] === true;
      const result = upstream(() => {
        const { sandbox, ledger } = sandboxDraft(context);
        const pending = listChunks(ledger, 'pending');
        if (pending.length === 0) throw new DraftGatewayError('FAILED_PRECONDITION', 'no pending chunks to approve');
        let approved = 0;
        let skipped = 0;
        let last = { version: 0, hash: '' };
        for (const chunk of pending) {
          if (!includeFlagged && chunk.securityNotes !== '') {
            skipped += 1;
            continue;
          }
          last = writeMerged(context, sandbox, policyWithChunk(context.state.latestRevision(sandbox)?.policy ?? null, chunk));
          decide(chunk, 'approved', context.state.nowMillis());
          approved += 1;
        }
        return { ...last, approved, skipped };
      });
      audit(context, 'approval.approve_all', name, { include_security_flagged: includeFlagged });
      return jsonReply(200, {
        policy_version: result.version,
        policy_hash: result.hash,
        chunks_approved: result.approved,
        chunks_skipped: result.skipped,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{chunk_id}/edit`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    jsonBody: true,
    gatewayClient: true,
    parse: (context, errors) => validateBody(EDIT_REQUEST, context.body, errors),
    handle: (context, input: ValidatedModel) => {
      const chunkId = context.params['chunk_id'] ?? '';
      // `_dict_to_network_rule` runs before the gateway call (a bad rule is ShoreGuard's 500).
      const rule = normalizeNetworkRule(input.values['proposed_rule'] ?? {});
      pinCheck(context, 'edit');
      upstream(() => {
        const chunk = findChunk(sandboxDraft(context).ledger, chunkId);
        assertEditable(chunk);
        chunk.rule = rule;
      });
      audit(context, 'approval.edit', chunkId, { sandbox: context.params['name'] ?? '' });
      return jsonReply(200, { status: 'edited' });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/{chunk_id}/undo`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    gatewayClient: true,
    handle: (context) => {
      const chunkId = context.params['chunk_id'] ?? '';
      pinCheck(context, 'undo');
      const result = upstream(() => {
        const { sandbox, ledger } = sandboxDraft(context);
        const chunk = findChunk(ledger, chunkId);
        assertUndoable(chunk);
        const written = writeMerged(context, sandbox, policyWithoutChunk(context.state.latestRevision(sandbox)?.policy ?? null, chunk));
        decide(chunk, 'pending', context.state.nowMillis());
        return written;
      });
      audit(context, 'approval.undo', chunkId, { sandbox: context.params['name'] ?? '' });
      return jsonReply(200, { policy_version: result.version, policy_hash: result.hash });
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${BASE}/clear`,
    auth: 'required',
    gatewayScoped: true,
    minRole: 'operator',
    gatewayClient: true,
    handle: (context) => {
      const name = context.params['name'] ?? '';
      pinCheck(context, 'clear');
      const { ledger } = sandboxDraft(context);
      const before = ledger.chunks.length;
      ledger.chunks = ledger.chunks.filter((chunk) => chunk.status !== 'pending');
      audit(context, 'approval.clear', name, null);
      return jsonReply(200, clearResponseBody(before - ledger.chunks.length));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/audit',
    auth: 'required',
    minRole: 'admin',
    parse: (context, errors) => ({
      limit: intQueryParam(context, errors, 'limit', 100, { ge: 1, le: 1000 }),
      offset: intQueryParam(context, errors, 'offset', 0, { ge: 0 }),
    }),
    handle: (context, page: { limit: number; offset: number }) => {
      const filters: Array<[string, (entry: (typeof context.state.audit)[number]) => string | null]> = [
        ['actor', (e) => e.actor],
        ['action', (e) => e.action],
        ['resource_type', (e) => e.resourceType],
        ['gateway', (e) => e.gateway],
      ];
      const matching = context.state.audit
        .filter((entry) => filters.every(([param, field]) => !context.query.get(param) || field(entry) === context.query.get(param)))
        .sort((a, b) => b.timestamp - a.timestamp || b.id - a.id);
      return jsonReply(200, {
        entries: matching.slice(page.offset, page.offset + page.limit).map((entry) => ({
          id: entry.id,
          timestamp: storedTimestamp(entry.timestamp),
          actor: entry.actor,
          actor_role: entry.actorRole,
          action: entry.action,
          resource_type: entry.resourceType,
          resource_id: entry.resourceId,
          gateway: entry.gateway,
          detail: entry.detail,
          client_ip: entry.clientIp,
        })),
        total: matching.length,
      });
    },
  }),
];
