import { liveRuleMap, liveRules, mergeTarget, ruleCoveredBy, ruleLayer, toPolicyRule, type DraftRule } from '../../../sdk';
import { draftChunkSchema } from '../../../sdk/models/approvals';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem, rejectionOf } from './helpers';

const BASE = '/api/gateways/gw/sandboxes/sb/approvals';

/** A chunk as ShoreGuard 0.40.0's `_chunk_to_dict` + enrichment renders it. */
function wireChunk(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'c-1',
    status: 'pending',
    rule_name: 'github_contents_x_md',
    rationale: 'update x.md',
    security_notes: '',
    confidence: 0.75,
    created_at_ms: 1_700_000_000_000,
    decided_at_ms: 0,
    stage: '',
    hit_count: 1,
    first_seen_ms: 1_700_000_000_000,
    last_seen_ms: 1_700_000_000_000,
    binary: '/usr/bin/gh',
    denial_summary_ids: [],
    proposed_rule: {
      name: 'github_contents_x_md',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/x.md', command: '' } }] }],
      binaries: [{ path: '/usr/bin/gh' }],
    },
    denial_context: null,
    narrowness: { verdict: 'narrow', reasons: [], over_broad_fields: [] },
    ...overrides,
  };
}

describe('approvals models', () => {
  test('GIVEN a wire chunk WHEN parsed THEN camelCase, L7, agent origin, undecided = null, absent endpoint fields = null/[]', () => {
    const chunk = draftChunkSchema.parse(wireChunk());
    expect(chunk).toMatchObject({ id: 'c-1', layer: 'L7', origin: 'agent', decidedAtMs: null, securityFlagged: false, narrowness: { verdict: 'narrow', overBroadFields: [] } });
    expect(chunk.rule?.endpoints[0]).toEqual({
      host: 'api.github.com',
      port: 443,
      protocol: 'rest',
      tls: null,
      enforcement: null,
      access: null,
      path: null,
      rules: [{ method: 'PUT', path: '/repos/o/r/contents/x.md', command: '' }],
      allowedIps: [],
      ports: [],
    });
  });

  test('GIVEN a mechanistic L4 chunk with notes and no rule fields WHEN parsed THEN mechanistic, L4, flagged', () => {
    const chunk = draftChunkSchema.parse(
      wireChunk({ confidence: 0, security_notes: 'Port 5432 is a well-known database/service port.', proposed_rule: { name: '', endpoints: [{ host: 'db', port: 5432 }], binaries: [] } }),
    );
    expect(chunk).toMatchObject({ origin: 'mechanistic', layer: 'L4', securityFlagged: true });
    expect(ruleLayer(null)).toBeNull();
  });

  test('GIVEN a rule WHEN toPolicyRule THEN the export layout with unset fields omitted and the chunk name as fallback', () => {
    const chunk = draftChunkSchema.parse(wireChunk({ proposed_rule: { name: '', endpoints: [{ host: 'h', port: 1, ports: [1, 2] }], binaries: [{ path: '/b' }] } }));
    expect(toPolicyRule(chunk.rule!, 'fallback')).toEqual({ name: 'fallback', endpoints: [{ host: 'h', port: 1, ports: [1, 2] }], binaries: [{ path: '/b' }] });
  });
});

describe('ruleCoveredBy (OpenShell policy_covers_rule)', () => {
  const proposed: DraftRule = liveRules({ network_policies: { p: wireChunk()['proposed_rule'] } })[0]!;

  test('GIVEN the same rule live under another name WHEN checked THEN covered', () => {
    expect(ruleCoveredBy(proposed, liveRules({ network_policies: { github: { ...(wireChunk()['proposed_rule'] as object), name: 'github' } } }))).toBe(true);
  });

  test('GIVEN the live endpoint lacks the method/path WHEN checked THEN not covered (an access preset does not count)', () => {
    const live = liveRules({ network_policies: { g: { name: 'g', endpoints: [{ host: 'API.GITHUB.COM', port: 443, access: 'read-write' }], binaries: [{ path: '/usr/bin/gh' }] } } });
    expect(ruleCoveredBy(proposed, live)).toBe(false);
  });

  test('GIVEN the live rule lacks the binary, or shares no port WHEN checked THEN not covered', () => {
    const rule = wireChunk()['proposed_rule'] as { endpoints: unknown[] };
    expect(ruleCoveredBy(proposed, liveRules({ network_policies: { g: { ...rule, binaries: [{ path: '/other' }] } } }))).toBe(false);
    expect(ruleCoveredBy(proposed, liveRules({ network_policies: { g: { ...rule, endpoints: [{ host: 'api.github.com', port: 80, rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/x.md' } }] }] } } }))).toBe(false);
    expect(ruleCoveredBy(proposed, liveRules({ network_policies: { g: { ...rule, endpoints: [{ host: 'api.github.com', port: 1, ports: [443], rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/x.md' } }] }] } } }))).toBe(true);
  });

  test('GIVEN a rule without endpoints WHEN checked THEN never covered; no live map = no rules', () => {
    expect(ruleCoveredBy({ name: 'x', endpoints: [], binaries: [] }, [])).toBe(false);
    expect(liveRules({})).toEqual([]);
  });
});

describe('mergeTarget (OpenShell add_rule placement)', () => {
  const proposed = liveRules({ network_policies: { p: wireChunk()['proposed_rule'] } })[0]!;
  const endpoint = { host: 'api.github.com', port: 443, protocol: 'rest' };

  test('GIVEN a live rule of the same name WHEN placed THEN same-name', () => {
    expect(mergeTarget('github_contents_x_md', proposed, liveRuleMap({ network_policies: { github_contents_x_md: { name: 'x', endpoints: [], binaries: [] } } }))).toEqual({ key: 'github_contents_x_md', how: 'same-name' });
  });

  test('GIVEN rules sharing the endpoint WHEN placed THEN folded into the first by key, skipping _provider_ rules', () => {
    const live = liveRuleMap({ network_policies: { zeta: { name: 'zeta', endpoints: [endpoint], binaries: [] }, _provider_gh: { name: 'p', endpoints: [endpoint], binaries: [] }, beta: { name: 'beta', endpoints: [endpoint], binaries: [] } } });
    expect(mergeTarget('github_contents_x_md', proposed, live)).toEqual({ key: 'beta', how: 'folded' });
  });

  test('GIVEN no rule sharing the endpoint WHEN placed THEN new under the chunk name', () => {
    expect(mergeTarget('n', proposed, liveRuleMap({ network_policies: { other: { name: 'o', endpoints: [{ host: 'api.github.com', port: 80 }], binaries: [] } } }))).toEqual({ key: 'n', how: 'new' });
    expect(liveRuleMap(null)).toEqual({});
  });
});

describe('client.approvals outcomes', () => {
  test('GIVEN 200 WHEN approving THEN approved with the new revision; no body and no query are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/c-1/approve`, method: 'POST' }).reply(200, { policy_version: 4, policy_hash: 'abc' }, { headers: JSON_HEADERS });
    await expect(h.client.approvals.approve('gw', 'sb', 'c-1')).resolves.toMatchObject({ status: 'approved', chunkId: 'c-1', policyVersion: 4, policyHash: 'abc' });
    expect(h.calls()[0]?.path).toBe(`${BASE}/c-1/approve`);
  });

  test('GIVEN 202 WHEN approving THEN vote_recorded with votes cast / needed', async () => {
    const h = harness();
    const decision = { actor: 'sp:a', role: 'operator', decision: 'approve', comment: null, created_at: '2026-04-20T12:00:00' };
    h.pool.intercept({ path: `${BASE}/c-1/approve?wait_loaded=true`, method: 'POST' }).reply(202, { status: 'pending', votes: 1, needed: 2, decisions: [decision] }, { headers: JSON_HEADERS });
    await expect(h.client.approvals.approve('gw', 'sb', 'c-1', { waitLoaded: true })).resolves.toMatchObject({ status: 'vote_recorded', votesCast: 1, votesNeeded: 2, decisions: [{ actor: 'sp:a' }] });
  });

  test('GIVEN 409 already voted / FAILED_PRECONDITION / other WHEN approving THEN already_voted, not_pending, thrown conflict', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/c-1/approve`, method: 'POST' }).reply(409, problem(409, 'CONFLICT', "Actor 'sp:a' has already voted on chunk c-1"), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: `${BASE}/c-1/approve`, method: 'POST' }).reply(409, problem(409, 'CONFLICT', 'gRPC error: FAILED_PRECONDITION'), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: `${BASE}/c-1/approve`, method: 'POST' }).reply(409, problem(409, 'CONFLICT', 'something else'), { headers: PROBLEM_HEADERS });
    await expect(h.client.approvals.approve('gw', 'sb', 'c-1')).resolves.toMatchObject({ status: 'already_voted' });
    await expect(h.client.approvals.approve('gw', 'sb', 'c-1')).resolves.toMatchObject({ status: 'not_pending' });
    await expect(rejectionOf(h.client.approvals.approve('gw', 'sb', 'c-1'))).resolves.toMatchObject({ code: 'conflict', status: 409 });
  });

  test('GIVEN 423 WHEN approving THEN pinned with the pin read back', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/c-1/approve`, method: 'POST' }).reply(423, problem(423, 'INTERNAL_ERROR', 'Policy is pinned at version 3 by sp:ops. Unpin first.'), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/policy/pin', method: 'GET' }).reply(
      200,
      { gateway_name: 'gw', sandbox_name: 'sb', pinned_version: 3, pinned_by: 'sp:ops', reason: 'freeze', pinned_at: '2026-04-20T12:00:00', expires_at: null },
      { headers: JSON_HEADERS },
    );
    await expect(h.client.approvals.approve('gw', 'sb', 'c-1')).resolves.toMatchObject({ status: 'pinned', pinnedVersion: 3, pinnedBy: 'sp:ops', pin: { reason: 'freeze' } });
  });

  test('GIVEN a 404 WHEN approving THEN not_found is thrown (bad input, not an outcome)', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/nope/approve`, method: 'POST' }).reply(404, problem(404, 'NOT_FOUND', 'gRPC error: NOT_FOUND'), { headers: PROBLEM_HEADERS });
    const error = await rejectionOf(h.client.approvals.approve('gw', 'sb', 'nope'));
    expect(error).toMatchObject({ code: 'not_found', status: 404, detail: 'gRPC error: NOT_FOUND', requestId: 'req-0123456789ab', gateway: 'gw', sandbox: 'sb' });
    expect((error as Error).message).toContain("chunk 'nope' is not in the draft policy of sandbox 'sb' on gateway 'gw'");
  });

  test('GIVEN a reason WHEN rejecting THEN it is sent, and the write is not retried on 503', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/c-1/reject`, method: 'POST' }).reply(200, { status: 'rejected' }, { headers: JSON_HEADERS });
    await expect(h.client.approvals.reject('gw', 'sb', 'c-1', { reason: 'too broad' })).resolves.toMatchObject({ status: 'rejected' });
    expect(h.bodyOf(0)).toEqual({ reason: 'too broad' });
    h.pool.intercept({ path: `${BASE}/c-1/reject`, method: 'POST' }).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'down'), { headers: PROBLEM_HEADERS });
    await expect(rejectionOf(h.client.approvals.reject('gw', 'sb', 'c-1'))).resolves.toMatchObject({ code: 'server', attempts: 1 });
  });

  test('GIVEN approve-all answers WHEN called THEN approved_all counts, bulk_refused, nothing_pending', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/approve-all`, method: 'POST' }).reply(200, { policy_version: 5, policy_hash: 'h', chunks_approved: 2, chunks_skipped: 1 }, { headers: JSON_HEADERS });
    h.pool
      .intercept({ path: `${BASE}/approve-all`, method: 'POST' })
      .reply(409, problem(409, 'CONFLICT', 'Bulk approve-all is disabled under an active approval workflow; admin role required to override.'), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: `${BASE}/approve-all`, method: 'POST' }).reply(409, problem(409, 'CONFLICT', 'gRPC error: FAILED_PRECONDITION'), { headers: PROBLEM_HEADERS });
    await expect(h.client.approvals.approveAll('gw', 'sb', { includeSecurityFlagged: true })).resolves.toMatchObject({ status: 'approved_all', chunksApproved: 2, chunksSkipped: 1, policyVersion: 5 });
    expect(h.bodyOf(0)).toEqual({ include_security_flagged: true });
    await expect(h.client.approvals.approveAll('gw', 'sb')).resolves.toMatchObject({ status: 'bulk_refused' });
    await expect(h.client.approvals.approveAll('gw', 'sb')).resolves.toMatchObject({ status: 'nothing_pending' });
  });

  test('GIVEN clear answers {cleared: null, chunks_cleared: 3} WHEN clearing THEN 3', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/clear`, method: 'POST' }).reply(200, { cleared: null, chunks_cleared: 3 }, { headers: JSON_HEADERS });
    await expect(h.client.approvals.clear('gw', 'sb')).resolves.toEqual({ chunksCleared: 3 });
  });

  test('GIVEN no workflow WHEN tally THEN one vote needed', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/c-1/decisions`, method: 'GET' }).reply(200, { status: 'no_workflow', votes: 0, needed: 0, decisions: [] }, { headers: JSON_HEADERS });
    await expect(h.client.approvals.tally('gw', 'sb', 'c-1')).resolves.toEqual({ workflow: false, votesCast: 0, votesNeeded: 1, decisions: [] });
  });

  test('GIVEN a body that breaks the contract WHEN listing pending THEN invalid_response', async () => {
    const h = harness();
    h.pool.intercept({ path: `${BASE}/pending`, method: 'GET' }).reply(200, [{ id: 5 }], { headers: JSON_HEADERS });
    await expect(rejectionOf(h.client.approvals.pending('gw', 'sb'))).resolves.toMatchObject({ code: 'invalid_response' });
  });

  test('GIVEN a chunk id not in the draft WHEN chunk() THEN not_found naming the sandbox', async () => {
    const h = harness();
    h.pool.intercept({ path: BASE, method: 'GET' }).reply(200, { chunks: [wireChunk()], rolling_summary: '', draft_version: 1, last_analyzed_at_ms: 0 }, { headers: JSON_HEADERS });
    const error = await rejectionOf(h.client.approvals.chunk('gw', 'sb', 'c-9'));
    expect(error).toMatchObject({ code: 'not_found' });
    expect(String((error as Error).message)).toContain("chunk 'c-9'");
  });
});
