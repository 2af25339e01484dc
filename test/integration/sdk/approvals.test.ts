/** The SDK `approvals` area against the emulator: agent proposals, votes, pins, bulk, undo, provenance, coverage. */
import { parse } from 'yaml';
import { liveRuleMap, liveRules, mergeTarget, toPolicyRule } from '../../../sdk';
import { agentSubmission, emulatorHttpProposalSink, emulatorProposalSink, L7_GITHUB_PROPOSAL, submitStandardProposals } from '../../support/proposals';
import { failure, policyYaml, seedSandboxWithPolicy, useSdkEmulator } from './harness';

const h = useSdkEmulator();
const GW = 'prod-gw';
const SB = 'agent-1';

async function seeded(): Promise<{ l7: string; flagged: string; broad: string }> {
  seedSandboxWithPolicy(h.emulator(), GW, SB);
  return submitStandardProposals(emulatorProposalSink(h.emulator(), GW), SB);
}

describe('reading proposals', () => {
  it('GIVEN three agent/denial proposals WHEN pending THEN newest first, the L7 rule with method/path, flags and origin', async () => {
    const ids = await seeded();
    const pending = await h.client('viewer').approvals.pending(GW, SB);
    expect(pending.map((c) => c.id)).toEqual([ids.l7, ids.flagged, ids.broad]);
    const [l7, flagged, broad] = pending;
    expect(l7).toMatchObject({
      ruleName: 'github_contents_x_md',
      layer: 'L7',
      origin: 'agent',
      confidence: 0.75,
      securityFlagged: false,
      binary: '/opt/fake/bin/gh',
      status: 'pending',
      decidedAtMs: null,
      narrowness: { verdict: 'narrow', reasons: [], overBroadFields: [] },
    });
    expect(l7?.rule?.endpoints[0]).toMatchObject({ host: 'api.github.com', port: 443, protocol: 'rest', enforcement: 'enforce', rules: [{ method: 'PUT', path: '/repos/o/r/contents/x.md', command: '' }] });
    expect(flagged).toMatchObject({ securityFlagged: true, layer: 'L4' });
    expect(flagged?.securityNotes).toContain('Port 5432 is a well-known database/service port.');
    expect(flagged?.securityNotes).toContain("Destination '10.0.0.5' appears to be an internal/private address.");
    expect(broad).toMatchObject({ origin: 'mechanistic', layer: 'L4', hitCount: 3 });
  });

  it('GIVEN an unknown sandbox WHEN pending THEN not_found (the gateway NOT_FOUND)', async () => {
    seedSandboxWithPolicy(h.emulator(), GW, SB);
    expect(await failure(h.client('viewer').approvals.pending(GW, 'nope'))).toMatchObject({ code: 'not_found', status: 404, detail: 'gRPC error: NOT_FOUND' });
  });

  it('GIVEN a proposal WHEN toPolicyRule THEN it has the export layout of a network policy', async () => {
    await seeded();
    const [l7] = await h.client('viewer').approvals.pending(GW, SB);
    expect(toPolicyRule(l7!.rule!, l7!.ruleName)).toEqual({
      name: 'github_contents_x_md',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', enforcement: 'enforce', rules: [{ allow: { method: 'PUT', path: '/repos/o/r/contents/x.md', command: '' } }] }],
      binaries: [{ path: '/opt/fake/bin/gh' }],
    });
  });
});

describe('approve / reject without a workflow', () => {
  it('GIVEN a pending L7 chunk WHEN approved THEN the rule is live in a new revision, history and provenance say who and when', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    const before = await operator.policies.export(GW, SB);
    const chunk = await operator.approvals.chunk(GW, SB, ids.l7);
    const target = mergeTarget(chunk.ruleName, chunk.rule!, liveRuleMap((parse(before.yaml) as { policy: object }).policy));
    expect(target).toEqual({ key: 'github', how: 'folded' });
    const outcome = await operator.approvals.approve(GW, SB, ids.l7);
    expect(outcome).toMatchObject({ status: 'approved', chunkId: ids.l7, policyVersion: before.version + 1 });
    const live = parse((await operator.policies.export(GW, SB)).yaml) as { policy: { network_policies: Record<string, unknown> } };
    // OpenShell folds a rule into the existing rule for the same host:port (here: `github`).
    expect(liveRules(live.policy).find((r) => r.name === 'github')?.binaries).toContain('/opt/fake/bin/gh');
    expect((await operator.approvals.history(GW, SB)).filter((e) => e.chunkId === ids.l7).map((e) => e.eventType)).toEqual(['proposed', 'approved']);
    const [provenance] = await h.client('admin').approvals.provenance(GW, SB);
    expect(provenance).toMatchObject({ chunkId: ids.l7, origin: 'agent', approvedBy: 'sp:emulator-operator', voters: ['sp:emulator-operator'], bulk: false, liveRuleKey: 'github' });
    expect(provenance?.approvedAt).toBe(new Date(h.serverClock.now()).toISOString());
    // Without the audit log (non-admin) the rest still comes back.
    expect((await operator.approvals.provenance(GW, SB))[0]).toMatchObject({ chunkId: ids.l7, approvedBy: null, voters: [] });
  });

  it('GIVEN an approved chunk WHEN approved again THEN not_pending (gateway FAILED_PRECONDITION), and an unknown chunk is not_found', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    await operator.approvals.approve(GW, SB, ids.l7);
    expect(await operator.approvals.approve(GW, SB, ids.l7)).toMatchObject({ status: 'not_pending', detail: 'gRPC error: FAILED_PRECONDITION' });
    expect(await failure(operator.approvals.approve(GW, SB, 'no-such-chunk'))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a pending chunk WHEN rejected with a reason THEN rejected, and rejecting again is not_pending', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    expect(await operator.approvals.reject(GW, SB, ids.broad, { reason: 'too broad' })).toMatchObject({ status: 'rejected', chunkId: ids.broad });
    expect((await operator.approvals.chunk(GW, SB, ids.broad)).status).toBe('rejected');
    expect(await operator.approvals.reject(GW, SB, ids.broad)).toMatchObject({ status: 'not_pending' });
  });

  it('GIVEN an approved chunk WHEN undone THEN its binary leaves the live rule and the chunk is pending again', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    const approved = await operator.approvals.approve(GW, SB, ids.broad);
    expect(approved.status).toBe('approved');
    const undone = await operator.approvals.undo(GW, SB, ids.broad);
    expect(undone).toMatchObject({ status: 'undone' });
    const live = parse((await operator.policies.export(GW, SB)).yaml) as { policy: { network_policies: Record<string, unknown> } };
    expect(Object.keys(live.policy.network_policies)).toEqual(['github']);
    expect((await operator.approvals.chunk(GW, SB, ids.broad)).status).toBe('pending');
    expect(await operator.approvals.undo(GW, SB, ids.broad)).toMatchObject({ status: 'not_pending' });
  });

  it('GIVEN pending chunks WHEN approve-all THEN the flagged one is skipped, unless included; nothing left → nothing_pending', async () => {
    await seeded();
    const operator = h.client('operator');
    expect(await operator.approvals.approveAll(GW, SB)).toMatchObject({ status: 'approved_all', chunksApproved: 2, chunksSkipped: 1 });
    expect(await operator.approvals.approveAll(GW, SB, { includeSecurityFlagged: true })).toMatchObject({ chunksApproved: 1, chunksSkipped: 0 });
    expect(await operator.approvals.approveAll(GW, SB)).toMatchObject({ status: 'nothing_pending' });
    expect((await h.client('admin').approvals.provenance(GW, SB)).every((p) => p.bulk && p.approvedBy === 'sp:emulator-operator')).toBe(true);
  });

  it('GIVEN pending chunks WHEN cleared THEN the count comes back and they are gone', async () => {
    await seeded();
    const operator = h.client('operator');
    expect(await operator.approvals.clear(GW, SB)).toEqual({ chunksCleared: 3 });
    expect(await operator.approvals.pending(GW, SB)).toEqual([]);
  });

  it('GIVEN a pending chunk WHEN edited THEN the new rule is listed; an approved one is not_pending', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    const narrower = { name: 'npm', endpoints: [{ host: 'registry.npmjs.org', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/react/**' } }] }], binaries: [{ path: '/opt/fake/bin/node' }] };
    expect(await operator.approvals.edit(GW, SB, ids.broad, narrower)).toMatchObject({ status: 'edited' });
    expect((await operator.approvals.chunk(GW, SB, ids.broad)).layer).toBe('L7');
    await operator.approvals.approve(GW, SB, ids.broad);
    expect(await operator.approvals.edit(GW, SB, ids.broad, narrower)).toMatchObject({ status: 'not_pending' });
  });
});

describe('under a workflow and pins', () => {
  it('GIVEN a quorum-2 workflow WHEN two operators approve THEN a vote first, then approved once; a repeat vote is already_voted', async () => {
    const ids = await seeded();
    await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2 });
    const first = await h.client('operator').approvals.approve(GW, SB, ids.l7);
    expect(first).toMatchObject({ status: 'vote_recorded', votesCast: 1, votesNeeded: 2 });
    expect(await h.client('operator').approvals.approve(GW, SB, ids.l7)).toMatchObject({ status: 'already_voted' });
    expect(await h.client('viewer').approvals.tally(GW, SB, ids.l7)).toMatchObject({ workflow: true, votesCast: 1, votesNeeded: 2 });
    expect(await h.client('operator2').approvals.approve(GW, SB, ids.l7)).toMatchObject({ status: 'approved' });
    expect(await h.client('viewer').approvals.tally(GW, SB, ids.l7)).toMatchObject({ votesCast: 0, decisions: [] });
    const [provenance] = await h.client('admin').approvals.provenance(GW, SB);
    expect(provenance).toMatchObject({ approvedBy: 'sp:emulator-operator-2', voters: ['sp:emulator-operator', 'sp:emulator-operator-2'] });
  });

  it('GIVEN a workflow WHEN one approve then one reject THEN the reject kills the chunk and clears the votes', async () => {
    const ids = await seeded();
    await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2 });
    await h.client('operator').approvals.approve(GW, SB, ids.l7);
    expect(await h.client('operator2').approvals.reject(GW, SB, ids.l7, { reason: 'not this repo' })).toMatchObject({ status: 'rejected' });
    expect((await h.client('viewer').approvals.chunk(GW, SB, ids.l7)).status).toBe('rejected');
    expect((await h.client('viewer').approvals.tally(GW, SB, ids.l7)).votesCast).toBe(0);
  });

  it('GIVEN a workflow WHEN an operator runs approve-all THEN bulk_refused; an admin may', async () => {
    await seeded();
    await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2 });
    expect(await h.client('operator').approvals.approveAll(GW, SB)).toMatchObject({ status: 'bulk_refused' });
    expect(await h.client('admin').approvals.approveAll(GW, SB)).toMatchObject({ status: 'approved_all', chunksApproved: 2 });
  });

  it('GIVEN a pinned sandbox WHEN approve / approve-all THEN pinned with the pin; reject still works', async () => {
    const ids = await seeded();
    h.emulator().state.setPin(GW, SB, { reason: 'release freeze', pinnedBy: 'sp:emulator-admin' });
    const operator = h.client('operator');
    expect(await operator.approvals.approve(GW, SB, ids.l7)).toMatchObject({ status: 'pinned', pinnedBy: 'sp:emulator-admin', pin: { reason: 'release freeze' } });
    expect(await operator.approvals.approveAll(GW, SB)).toMatchObject({ status: 'pinned' });
    expect(await operator.approvals.reject(GW, SB, ids.l7)).toMatchObject({ status: 'rejected' });
  });
});

describe('closing the loop: a Git change already carries the proposal', () => {
  it('GIVEN the L7 proposal pending WHEN a policy with its rule is applied THEN coveredPending finds it and closeCovered rejects it without a new revision', async () => {
    const ids = await seeded();
    const operator = h.client('operator');
    expect(await operator.approvals.coveredPending(GW, SB)).toEqual([]);
    const exported = await operator.policies.export(GW, SB);
    const document = parse(exported.yaml) as { policy: { network_policies: Record<string, unknown> } };
    document.policy.network_policies[L7_GITHUB_PROPOSAL.ruleName] = toPolicyRule((await operator.approvals.chunk(GW, SB, ids.l7)).rule!);
    const applied = await operator.policies.apply(GW, SB, { yaml: policyYaml(document.policy as never, exported.policyHash) });
    expect(applied.status).toBe('applied');
    const covered = await operator.approvals.coveredPending(GW, SB);
    expect(covered.map((c) => c.chunk.id)).toEqual([ids.l7]);
    const version = (await operator.policies.export(GW, SB)).version;
    expect(await operator.approvals.closeCovered(GW, SB)).toEqual([
      { chunkId: ids.l7, ruleName: L7_GITHUB_PROPOSAL.ruleName, outcome: expect.objectContaining({ status: 'rejected' }) },
    ]);
    expect((await operator.policies.export(GW, SB)).version).toBe(version);
    expect((await operator.approvals.pending(GW, SB)).map((c) => c.id)).toEqual([ids.flagged, ids.broad]);
  });
});

describe('seeding over the control API', () => {
  it('GIVEN the emulator as a process WHEN a proposal is POSTed to /__emulator/…/proposals THEN it is pending; a bad body is a 400', async () => {
    seedSandboxWithPolicy(h.emulator(), GW, SB);
    const ids = await submitStandardProposals(emulatorHttpProposalSink(h.emulator().url, h.emulator().keys.admin, GW), SB);
    expect((await h.client('viewer').approvals.pending(GW, SB)).map((c) => c.id)).toEqual([ids.l7, ids.flagged, ids.broad]);
    const bad = await fetch(`${h.emulator().url}/__emulator/sandboxes/${GW}/${SB}/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.emulator().keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chunks: [] }),
    });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${h.emulator().url}/__emulator/sandboxes/${GW}/nope/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.emulator().keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(agentSubmission(L7_GITHUB_PROPOSAL)),
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ detail: `Sandbox 'nope' does not exist on gateway '${GW}'` });
  });
});
