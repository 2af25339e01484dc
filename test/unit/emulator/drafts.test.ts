// OpenShell's draft-ledger and merge semantics as emulator/drafts.ts and
// emulator/policy/openshell-draft.ts implement them (shared by the emulator and the fake gateway).
import {
  assertApprovable,
  decide,
  DraftGatewayError,
  findChunk,
  historyEntries,
  listChunks,
  policyWithChunk,
  policyWithoutChunk,
  submitToLedger,
  type DraftLedger,
} from '../../../emulator/drafts';
import { addRuleToPolicy, generateSecurityNotes, removeBinaryFromPolicy } from '../../../emulator/policy/openshell-draft';
import type { PolicyDict } from '../../../emulator/policy/model';

const rule = (host: string, port: number, binary: string, extra: PolicyDict = {}): PolicyDict => ({
  name: '',
  endpoints: [{ host, port, ...extra }],
  binaries: [{ path: binary }],
});

function ledger(): DraftLedger {
  return { version: 0, chunks: [] };
}

describe('SubmitPolicyAnalysis', () => {
  test('GIVEN chunks without a name, with a _provider_ name or without a rule WHEN submitted THEN rejected with the gateway reasons', () => {
    const result = submitToLedger(ledger(), { chunks: [{ ruleName: '' }, { ruleName: '_provider_x', rule: rule('a', 1, '/b') }, { ruleName: 'x' }] }, 1000);
    expect(result).toEqual({
      acceptedChunks: 0,
      rejectedChunks: 3,
      rejectionReasons: ['chunk missing rule_name', "chunk '_provider_x' uses reserved '_provider_' rule-name prefix", "chunk 'x' missing proposed_rule"],
      acceptedChunkIds: [],
    });
  });

  test('GIVEN a pending chunk WHEN a newer one for the same host, port and binary arrives THEN the older is rejected as superseded', () => {
    const l = ledger();
    const [first] = submitToLedger(l, { analysisMode: 'mechanistic', chunks: [{ ruleName: 'a', rule: rule('API.example.com', 443, '/bin/c') }] }, 1000).acceptedChunkIds;
    const [second] = submitToLedger(l, { chunks: [{ ruleName: 'b', rule: rule('api.example.com', 443, '/bin/c'), confidence: 0.75 }] }, 2000).acceptedChunkIds;
    expect(findChunk(l, first!)).toMatchObject({ status: 'rejected', decidedAtMs: 2000, rejectionReason: `superseded by chunk ${second}` });
    expect(findChunk(l, second!)).toMatchObject({ status: 'pending', host: 'api.example.com', confidence: 0.75 });
    expect(l.version).toBe(2);
  });

  test('GIVEN an approved chunk for an endpoint WHEN a mechanistic draft for it arrives THEN it is rejected at once; an agent one stays pending', () => {
    const l = ledger();
    const [approved] = submitToLedger(l, { chunks: [{ ruleName: 'a', rule: rule('h', 1, '/b') }] }, 1).acceptedChunkIds;
    decide(findChunk(l, approved!), 'approved', 2);
    const [mechanistic] = submitToLedger(l, { analysisMode: 'mechanistic', chunks: [{ ruleName: 'm', rule: rule('h', 1, '/b') }] }, 3).acceptedChunkIds;
    expect(findChunk(l, mechanistic!).status).toBe('rejected');
    const [agent] = submitToLedger(l, { analysisMode: 'agent_authored', chunks: [{ ruleName: 'g', rule: rule('h', 1, '/b') }] }, 4).acceptedChunkIds;
    expect(findChunk(l, agent!).status).toBe('pending');
  });

  test('GIVEN out-of-range confidence and hit count WHEN submitted THEN clamped (confidence stored as float32)', () => {
    const l = ledger();
    submitToLedger(l, { chunks: [{ ruleName: 'a', rule: rule('h', 1, '/b'), confidence: 0.85, hitCount: 500 }, { ruleName: 'b', rule: rule('i', 1, '/b'), confidence: 7, hitCount: 0 }] }, 1);
    expect(l.chunks.map((c) => [c.confidence, c.hitCount])).toEqual([
      [Math.fround(0.85), 100],
      [1, 1],
    ]);
  });

  test('GIVEN chunks at the same millisecond WHEN listed THEN newest first; history is oldest first with decisions after proposals', () => {
    const l = ledger();
    const ids = submitToLedger(l, { chunks: [{ ruleName: 'a', rule: rule('h', 1, '/b') }, { ruleName: 'b', rule: rule('i', 2, '/b'), confidence: 0.75 }] }, 10).acceptedChunkIds;
    expect(listChunks(l).map((c) => c.id)).toEqual([...ids].reverse());
    decide(findChunk(l, ids[0]!), 'rejected', 20, 'no');
    expect(historyEntries(l).map((e) => [e['event_type'], e['description']])).toEqual([
      ['proposed', "Rule 'b' proposed (confidence: 75%)"],
      ['proposed', "Rule 'a' proposed (confidence: 0%)"],
      ['rejected', "Rule 'a' rejected"],
    ]);
  });

  test('GIVEN an approved chunk WHEN asked to approve again or an unknown id THEN FAILED_PRECONDITION / NOT_FOUND', () => {
    const l = ledger();
    const [id] = submitToLedger(l, { chunks: [{ ruleName: 'a', rule: rule('h', 1, '/b') }] }, 1).acceptedChunkIds;
    decide(findChunk(l, id!), 'approved', 2);
    expect(() => assertApprovable(findChunk(l, id!))).toThrow(expect.objectContaining({ grpcCode: 'FAILED_PRECONDITION' }));
    expect(() => findChunk(l, 'nope')).toThrow(DraftGatewayError);
  });
});

describe('merge (OpenShell add_rule / RemoveBinary)', () => {
  const live: PolicyDict = {
    version: 1,
    network_policies: { github: { name: 'github', endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/repos/**' } }] }], binaries: [{ path: '/bin/git' }] } },
  };

  test('GIVEN a new rule name for an endpoint an existing rule has WHEN added THEN it folds into that rule (binary and L7 rule appended, ports normalised)', () => {
    const merged = addRuleToPolicy(live, 'gh_put', rule('api.github.com', 443, '/bin/gh', { protocol: 'rest', rules: [{ allow: { method: 'PUT', path: '/x' } }] })) as { network_policies: Record<string, { endpoints: PolicyDict[]; binaries: PolicyDict[] }> };
    expect(Object.keys(merged.network_policies)).toEqual(['github']);
    expect(merged.network_policies['github']?.binaries).toEqual([{ path: '/bin/git' }, { path: '/bin/gh' }]);
    expect(merged.network_policies['github']?.endpoints[0]).toMatchObject({ port: 443, ports: [443], rules: [{ allow: { method: 'GET', path: '/repos/**' } }, { allow: { method: 'PUT', path: '/x' } }] });
  });

  test('GIVEN a rule for a new endpoint WHEN added THEN inserted under its name with its name and ports filled in', () => {
    const merged = addRuleToPolicy(live, 'npm', rule('registry.npmjs.org', 443, '/bin/node')) as { network_policies: Record<string, PolicyDict> };
    expect(merged.network_policies['npm']).toMatchObject({ name: 'npm', endpoints: [{ host: 'registry.npmjs.org', port: 443, ports: [443] }] });
  });

  test('GIVEN the same rule merged twice WHEN normalised THEN the second merge changes nothing (no second revision)', () => {
    const l = ledger();
    submitToLedger(l, { chunks: [{ ruleName: 'npm', rule: rule('registry.npmjs.org', 443, '/bin/node') }] }, 1);
    const record = l.chunks[0]!;
    const once = policyWithChunk(live, record);
    expect(policyWithChunk(once, record)).toEqual(once);
    // Undo: the binary goes, and with it the rule that had no other binary.
    expect(Object.keys((policyWithoutChunk(once, record)['network_policies'] ?? {}) as object)).toEqual(['github']);
  });

  test('GIVEN a rule with two binaries WHEN one is removed THEN the rule stays; an unknown rule name changes nothing', () => {
    const two: PolicyDict = { network_policies: { r: { name: 'r', endpoints: [], binaries: [{ path: '/a' }, { path: '/b' }] } } };
    expect(removeBinaryFromPolicy(two, 'r', '/a')).toEqual({ network_policies: { r: { name: 'r', endpoints: [], binaries: [{ path: '/b' }] } } });
    expect(removeBinaryFromPolicy(two, 'other', '/a')).toBe(two);
  });
});

describe('generate_security_notes', () => {
  test.each([
    ['10.0.0.5', 5432, "Destination '10.0.0.5' appears to be an internal/private address. Port 5432 is a well-known database/service port."],
    ['172.32.0.1', 443, ''],
    ['172.16.0.1', 443, "Destination '172.16.0.1' appears to be an internal/private address."],
    ['*.example.com', 443, "Host '*.example.com' contains a wildcard — this may match unintended destinations."],
    ['api.example.com', 50000, 'Port 50000 is in the ephemeral range — this may be a temporary service.'],
    ['api.github.com', 443, ''],
  ])('GIVEN %s:%d THEN %j', (host, port, notes) => {
    expect(generateSecurityNotes(host, port)).toBe(notes);
  });
});
