// The SDK `approvals` area against the REAL ShoreGuard 0.40.0, with the fake OpenShell gateway as
// its upstream and proposals submitted over gRPC the way an agent's policy.local does: listing as
// L7, a quorum-2 approval with two keys, provenance from the audit log, a pin, and closing a
// proposal whose rule a Git change already made live (issue #10 §5).
import { parse, stringify } from 'yaml';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { SEED_POLICY } from '../../conformance/cases/fixtures';
import { startFakeOpenShell, type FakeOpenShell } from '../../support/fake-openshell';
import { L7_GITHUB_PROPOSAL, submitStandardProposals, type ProposalSink } from '../../support/proposals';
import { ensureRealShoreGuardBuilt, startRealShoreGuard, type Principal, type RealShoreGuard } from '../../support/real-shoreguard';

const BUILD_AND_START_TIMEOUT_MS = 15 * 60 * 1000;
jest.setTimeout(120_000);

const GW = 'fake-gw';

describe('SDK approvals against the real ShoreGuard 0.40.0', () => {
  let sg: RealShoreGuard | undefined;
  let fake: FakeOpenShell | undefined;
  const clients: ShoreGuardClient[] = [];
  let sandboxCount = 0;

  const client = (principal: Principal): ShoreGuardClient => {
    if (!sg) throw new Error('ShoreGuard did not start');
    const created = createClient({ url: sg.url, token: sg.key(principal), env: {} });
    clients.push(created);
    return created;
  };
  const sink = (): ProposalSink => {
    if (!fake) throw new Error('fake gateway did not start');
    const gateway = fake;
    return { submit: (sandbox, submission) => gateway.submitProposal(sandbox, submission) };
  };
  const freshSandbox = (): string => {
    sandboxCount += 1;
    const name = `sb-${sandboxCount}`;
    fake?.seedSandbox(name, SEED_POLICY);
    return name;
  };

  beforeAll(async () => {
    await ensureRealShoreGuardBuilt();
    fake = await startFakeOpenShell({ port: 0 });
    sg = await startRealShoreGuard();
    await client('admin').gateways.register({ name: GW, endpoint: fake.endpoint, scheme: 'http', authMode: 'insecure' });
  }, BUILD_AND_START_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sg?.stop();
    await fake?.close();
  });

  test('GIVEN an agent proposal WHEN a viewer lists pending chunks THEN the L7 rule, rationale, origin and the gateway flags come back', async () => {
    const sb = freshSandbox();
    const ids = await submitStandardProposals(sink(), sb);
    const pending = await client('viewer').approvals.pending(GW, sb);
    expect(pending.map((c) => c.id)).toEqual([ids.l7, ids.flagged, ids.broad]);
    expect(pending[0]).toMatchObject({ layer: 'L7', origin: 'agent', rationale: L7_GITHUB_PROPOSAL.rationale, securityFlagged: false });
    expect(pending[0]?.rule?.endpoints[0]?.rules).toEqual([{ method: 'PUT', path: '/repos/o/r/contents/x.md', command: '' }]);
    expect(pending[1]?.securityFlagged).toBe(true);
    expect(pending[2]).toMatchObject({ layer: 'L4', origin: 'mechanistic' });
    expect(fake?.calls()).toContain('GetDraftPolicy');
  });

  test('GIVEN a quorum-2 workflow WHEN two operators approve THEN vote_recorded then approved, and provenance names both voters', async () => {
    const sb = freshSandbox();
    const ids = await submitStandardProposals(sink(), sb);
    await client('admin').workflows.put(GW, sb, { requiredApprovals: 2 });
    expect(await client('operator').approvals.approve(GW, sb, ids.l7)).toMatchObject({ status: 'vote_recorded', votesCast: 1, votesNeeded: 2 });
    expect(await client('operator').approvals.approve(GW, sb, ids.l7)).toMatchObject({ status: 'already_voted' });
    expect(await client('operator2').approvals.approve(GW, sb, ids.l7)).toMatchObject({ status: 'approved', policyVersion: 2 });
    const [provenance] = await client('admin').approvals.provenance(GW, sb);
    expect(provenance).toMatchObject({ chunkId: ids.l7, origin: 'agent', approvedBy: 'sp:ts-operator2', voters: ['sp:ts-operator1', 'sp:ts-operator2'], bulk: false, liveRuleKey: 'github' });
    expect(provenance?.approvedAt).not.toBeNull();
    expect(await client('operator').approvals.approveAll(GW, sb)).toMatchObject({ status: 'bulk_refused' });
  });

  test('GIVEN a pinned sandbox WHEN approving THEN pinned with the pin reason; rejecting still works', async () => {
    const sb = freshSandbox();
    const ids = await submitStandardProposals(sink(), sb);
    await client('operator').pins.pin(GW, sb, { reason: 'release freeze' });
    expect(await client('operator').approvals.approve(GW, sb, ids.l7)).toMatchObject({ status: 'pinned', pinnedBy: 'sp:ts-operator1', pin: { reason: 'release freeze' } });
    expect(await client('operator').approvals.reject(GW, sb, ids.broad, { reason: 'too broad' })).toMatchObject({ status: 'rejected' });
  });

  test('GIVEN a pending proposal WHEN a Git change carrying its rule is applied THEN closeCovered closes exactly it, and the live revision does not move', async () => {
    const sb = freshSandbox();
    const ids = await submitStandardProposals(sink(), sb);
    const operator = client('operator');
    const exported = await operator.policies.export(GW, sb);
    const document = parse(exported.yaml) as { metadata: Record<string, unknown>; policy: { network_policies: Record<string, unknown> } };
    const chunk = await operator.approvals.chunk(GW, sb, ids.l7);
    document.policy.network_policies[chunk.ruleName] = { name: chunk.ruleName, endpoints: L7_GITHUB_PROPOSAL.rule.endpoints, binaries: L7_GITHUB_PROPOSAL.rule.binaries };
    expect((await operator.policies.apply(GW, sb, { yaml: stringify(document) })).status).toBe('applied');
    expect((await operator.approvals.pending(GW, sb)).map((c) => c.id)).toContain(ids.l7);
    const version = fake?.getRevision(sb)?.version;
    const closed = await operator.approvals.closeCovered(GW, sb);
    expect(closed).toEqual([{ chunkId: ids.l7, ruleName: chunk.ruleName, outcome: expect.objectContaining({ status: 'rejected' }) }]);
    expect(fake?.getRevision(sb)?.version).toBe(version);
    expect((await operator.approvals.pending(GW, sb)).map((c) => c.id)).toEqual([ids.flagged, ids.broad]);
    expect((await operator.approvals.history(GW, sb)).filter((e) => e.chunkId === ids.l7).map((e) => e.eventType)).toEqual(['proposed', 'rejected']);
  });
});
