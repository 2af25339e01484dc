/** The SDK against the emulator: sandbox listing with paging, and GitOps policy export/apply. */
import { RateLimitedError, ValidationError, hasDrift, voteChunkId } from '../../../sdk';
import {
  BASE_POLICY,
  expectOutcome,
  failure,
  policyWith,
  policyYaml,
  seedSandboxWithPolicy,
  useSdkEmulator,
  withOpenAiRule,
} from './harness';

const GW = 'prod-gw';
const SB = 'agent-1';
const APPLY_ROUTE = '/api/gateways/{gw}/sandboxes/{name}/policy/apply';

describe('against an emulator without rate limits', () => {
  const h = useSdkEmulator();
  const livePolicy = () => h.emulator().state.getPolicy(GW, SB);

  describe('sandbox listing', () => {
    beforeEach(() => {
      h.emulator().state.registerGateway({ name: GW });
      for (const name of ['sb-1', 'sb-2', 'sb-3', 'sb-4', 'sb-5']) h.emulator().state.seedSandbox(GW, name, BASE_POLICY);
    });

    it('GIVEN five sandboxes WHEN pages of two are read by offset THEN each page holds the right slice and total is null', async () => {
      const client = h.client('viewer');
      const pages = await Promise.all([0, 2, 4].map((offset) => client.sandboxes.list(GW, { limit: 2, offset })));
      expect(pages.map((page) => page.items.map((sandbox) => sandbox.name))).toEqual([['sb-1', 'sb-2'], ['sb-3', 'sb-4'], ['sb-5']]);
      expect(pages.every((page) => page.total === null)).toBe(true);
      expect(pages[0]?.items[0]).toMatchObject({ name: 'sb-1', phase: 'ready', currentPolicyVersion: 1 });
    });

    it('GIVEN five sandboxes WHEN listAll with page size 2 THEN all five come back in three requests (stops at the short page)', async () => {
      const all = await h.client('viewer').sandboxes.listAll(GW, { pageSize: 2 });
      expect(all.map((sandbox) => sandbox.name)).toEqual(['sb-1', 'sb-2', 'sb-3', 'sb-4', 'sb-5']);
      expect(h.hits('GET', '/api/gateways/{gw}/sandboxes')).toBe(3);
    });

    it('GIVEN a sandbox WHEN get by name THEN it is returned; an unknown name is not_found (404)', async () => {
      const client = h.client('viewer');
      expect(await client.sandboxes.get(GW, 'sb-3')).toMatchObject({ name: 'sb-3', currentPolicyVersion: 1 });
      expect(await failure(client.sandboxes.get(GW, 'nope'))).toMatchObject({ code: 'not_found', status: 404, gateway: GW, sandbox: 'nope' });
    });

    it('GIVEN a page size outside 1..1000 WHEN list THEN validation (422) on the query parameter', async () => {
      const error = await failure(h.client('viewer').sandboxes.list(GW, { limit: 0 }));
      expect(error).toMatchObject({ code: 'validation', status: 422 });
      expect((error as ValidationError).issues[0]?.loc).toEqual(['query', 'limit']);
    });
  });

  describe('policy export and apply', () => {
    beforeEach(() => seedSandboxWithPolicy(h.emulator(), GW, SB));

    it('GIVEN a seeded sandbox WHEN export THEN the YAML document and the lock token (policy hash) come back', async () => {
      const exported = await h.client('viewer').policies.export(GW, SB);
      expect(exported).toMatchObject({ gateway: GW, sandbox: SB, version: 1, policyHash: livePolicy().policyHash });
      expect(exported.yaml.startsWith('# managed-by: shoreguard-gitops\n')).toBe(true);
      expect(exported.yaml).toContain(`policy_hash: ${exported.policyHash}`);
    });

    it('GIVEN an unchanged export WHEN apply THEN up_to_date and nothing is written', async () => {
      const client = h.client('operator');
      const exported = await client.policies.export(GW, SB);
      const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: exported.yaml }), 'up_to_date');
      expect(outcome).toMatchObject({ currentHash: exported.policyHash, appliedVersion: null });
      expect(hasDrift(outcome.diff)).toBe(false);
      expect(livePolicy().activeVersion).toBe(1);
    });

    it('GIVEN a changed document WHEN dry run THEN dry_run with the diff and the live policy is untouched', async () => {
      const client = h.client('operator');
      const changed = policyWith((p) => {
        withOpenAiRule(p);
        p.filesystem.read_only.push('/opt');
        p.process.run_as_user = 'root';
      });
      const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(changed), dryRun: true }), 'dry_run');
      expect(outcome.diff.networkPolicies).toEqual({ added: ['openai'], removed: [], changed: [] });
      expect(outcome.diff.filesystem.readOnlyAdded).toEqual(['/opt']);
      expect(outcome.diff.process.runAsUserChanged).toEqual(['sandbox', 'root']);
      expect(outcome.appliedVersion).toBeNull();
      expect(livePolicy().activeVersion).toBe(1);
    });

    it('GIVEN a changed document and the matching expected version WHEN apply (replace) THEN applied with the new hash, which export then shows', async () => {
      const client = h.client('operator');
      const before = await client.policies.export(GW, SB);
      const changed = policyWith((p) => {
        p.filesystem.read_write = [];
      });
      const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(changed), expectedVersion: before.policyHash, mode: 'replace' }), 'applied');
      expect(outcome.currentHash).toBe(before.policyHash);
      expect(outcome.diff.filesystem.readWriteRemoved).toEqual(['/tmp']);
      const after = await client.policies.export(GW, SB);
      expect(after).toMatchObject({ version: 2, policyHash: outcome.appliedVersion });
      expect(after.policyHash).not.toBe(before.policyHash);
      expect(livePolicy().policy?.['filesystem']).toEqual({ include_workdir: true, read_only: ['/usr', '/etc'], read_write: [] });
    });

    it('GIVEN a stale expected version WHEN apply and dry run THEN both are a conflict outcome with the live hash (409) and nothing is written', async () => {
      const client = h.client('operator');
      const stale = (await client.policies.export(GW, SB)).policyHash;
      const live = h.emulator().state.editPolicyOutOfBand(GW, SB, policyWith((p) => p.filesystem.read_only.push('/srv')));
      for (const dryRun of [false, true]) {
        const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(BASE_POLICY), expectedVersion: stale, dryRun }), 'conflict');
        expect(outcome).toMatchObject({ currentHash: live.policyHash, expectedVersion: stale });
      }
      expect(livePolicy().activeVersion).toBe(live.version);
    });

    it('GIVEN no expectedVersion but a stale metadata.policy_hash in the YAML WHEN apply THEN the YAML hash is the lock (conflict)', async () => {
      const client = h.client('operator');
      const stale = (await client.policies.export(GW, SB)).policyHash;
      const live = h.emulator().state.editPolicyOutOfBand(GW, SB, policyWith(withOpenAiRule));
      const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(BASE_POLICY, stale) }), 'conflict');
      expect(outcome).toMatchObject({ currentHash: live.policyHash, expectedVersion: stale });
    });

    it('GIVEN a network-only change WHEN apply in merge mode THEN applied and only network_policies changed', async () => {
      const client = h.client('operator');
      const outcome = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(policyWith(withOpenAiRule)), mode: 'merge' }), 'applied');
      expect(outcome.diff.networkPolicies.added).toEqual(['openai']);
      const live = livePolicy().policy as { network_policies: Record<string, unknown>; filesystem: unknown };
      expect(Object.keys(live.network_policies).sort()).toEqual(['github', 'openai']);
      expect(live.filesystem).toEqual(BASE_POLICY.filesystem);
    });

    it('GIVEN a filesystem change WHEN apply in merge mode THEN ValidationError 400 with mergeUnsupported reason and hint', async () => {
      const changed = policyWith((p) => {
        p.filesystem.include_workdir = false;
      });
      const error = await failure(h.client('operator').policies.apply(GW, SB, { yaml: policyYaml(changed), mode: 'merge' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'validation', status: 400 });
      const merge = (error as ValidationError).mergeUnsupported;
      expect(merge?.reason).toMatch(/cannot express changes to the 'filesystem' section/);
      expect(merge?.hint).toBe("retry with mode='replace' for changes outside network_policies");
      expect(livePolicy().activeVersion).toBe(1);
    });

    it.each([
      ['malformed YAML', 'key: : :\n', /^Malformed YAML: /],
      ['a document without policy', 'metadata: {}\n', /^Missing required 'policy' key$/],
      ['a policy that is a list', 'policy: []\n', /^'policy' must be a mapping$/],
      ['a top-level list', '- a\n- b\n', /^Top-level YAML must be a mapping$/],
    ])('GIVEN %s WHEN apply THEN ValidationError 400 with the server detail', async (_what, yaml, detail) => {
      const error = await failure(h.client('operator').policies.apply(GW, SB, { yaml }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'validation', status: 400, serverCode: 'VALIDATION_ERROR', gateway: GW, sandbox: SB });
      expect(error.detail).toMatch(detail);
    });

    it('GIVEN a pinned sandbox WHEN apply and dry run THEN both are a pinned outcome (423) with the pin reason, and export still works', async () => {
      const operator = h.client('operator');
      await operator.pins.pin(GW, SB, { reason: 'release freeze' });
      const changed = policyYaml(policyWith(withOpenAiRule));
      for (const dryRun of [false, true]) {
        const outcome = expectOutcome(await operator.policies.apply(GW, SB, { yaml: changed, dryRun }), 'pinned');
        expect(outcome).toMatchObject({ pinnedVersion: 1, pinnedBy: 'sp:emulator-operator', pin: expect.objectContaining({ reason: 'release freeze' }) });
        expect(outcome.detail).toBe('Policy is pinned at version 1 by sp:emulator-operator. Unpin first.');
      }
      expect(h.hits('POST', APPLY_ROUTE)).toBe(2);
      expect(livePolicy().activeVersion).toBe(1);
      await expect(h.client('viewer').policies.export(GW, SB)).resolves.toMatchObject({ version: 1 });
    });

    it('GIVEN a two-approval workflow WHEN operator and operator2 apply the same YAML THEN 202 vote_recorded, then applied at quorum', async () => {
      await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2 });
      const before = livePolicy().policyHash;
      const yaml = policyYaml(policyWith(withOpenAiRule), before);
      const first = expectOutcome(await h.client('operator').policies.apply(GW, SB, { yaml }), 'vote_recorded');
      expect(first).toMatchObject({ votesCast: 1, votesNeeded: 2, chunkId: voteChunkId(yaml), currentHash: before });
      expect(first.diff.networkPolicies.added).toEqual(['openai']);
      expect(livePolicy().policyHash).toBe(before);

      const tally = await h.client('viewer').policies.getDecisions(GW, SB, yaml);
      expect(tally).toMatchObject({ status: 'pending', votes: 1, needed: 2 });
      expect(tally.decisions).toEqual([expect.objectContaining({ actor: 'sp:emulator-operator', decision: 'approve' })]);

      const second = expectOutcome(await h.client('operator2').policies.apply(GW, SB, { yaml }), 'applied');
      expect(second.appliedVersion).toBe(livePolicy().policyHash);
      expect(livePolicy().policyHash).not.toBe(before);
      expect(await h.client('viewer').policies.getDecisions(GW, SB, yaml)).toMatchObject({ votes: 0, decisions: [] });
    });

    it('GIVEN a vote already cast WHEN the same operator applies again THEN a conflict error (409 problem, not a lock conflict)', async () => {
      await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2 });
      const yaml = policyYaml(policyWith(withOpenAiRule));
      const operator = h.client('operator');
      expectOutcome(await operator.policies.apply(GW, SB, { yaml }), 'vote_recorded');
      const error = await failure(operator.policies.apply(GW, SB, { yaml }));
      expect(error).toMatchObject({ code: 'conflict', status: 409, serverCode: 'CONFLICT' });
      expect(error.detail).toBe(`Actor 'sp:emulator-operator' has already voted on chunk ${voteChunkId(yaml)}`);
    });

    it('GIVEN a workflow that requires admins WHEN an operator applies THEN forbidden (403); a viewer is forbidden by role (403)', async () => {
      await h.client('admin').workflows.put(GW, SB, { requiredApprovals: 2, requiredRoles: ['admin'] });
      const yaml = policyYaml(policyWith(withOpenAiRule));
      const notPermitted = await failure(h.client('operator').policies.apply(GW, SB, { yaml }));
      expect(notPermitted).toMatchObject({ code: 'forbidden', status: 403 });
      expect(notPermitted.detail).toMatch(/not permitted/);
      expect(await failure(h.client('viewer').policies.apply(GW, SB, { yaml }))).toMatchObject({ code: 'forbidden', status: 403, detail: 'Requires operator role' });
    });

    it('GIVEN a TLD-level host wildcard WHEN apply THEN server error (500) with the conversion message', async () => {
      const changed = policyWith((p) => {
        p.network_policies['github'] = { name: 'github', endpoints: [{ host: '*.com', port: 443, protocol: 'rest' }], binaries: [] };
      });
      const error = await failure(h.client('operator').policies.apply(GW, SB, { yaml: policyYaml(changed) }));
      expect(error).toMatchObject({ code: 'server', status: 500, attempts: 1 });
      expect(error.detail).toMatch(/wildcards at the TLD level/);
    });

    it('GIVEN an unknown sandbox WHEN export THEN not_found (404)', async () => {
      expect(await failure(h.client('viewer').policies.export(GW, 'ghost'))).toMatchObject({ code: 'not_found', status: 404 });
    });
  });
});

describe('against an emulator with a write rate limit of 2 per minute', () => {
  const h = useSdkEmulator({ rateLimits: { write: { attempts: 2, windowSeconds: 60, lockoutSeconds: 30 } } });

  it('GIVEN the write budget is spent WHEN a third apply is sent THEN RateLimitedError (429) after waiting exactly Retry-After once', async () => {
    seedSandboxWithPolicy(h.emulator(), GW, SB);
    const client = h.client('operator', { retry: { maxAttempts: 2 } });
    const yaml = policyYaml(BASE_POLICY);
    await client.policies.apply(GW, SB, { yaml, dryRun: true });
    await client.policies.apply(GW, SB, { yaml, dryRun: true });

    const error = await failure(client.policies.apply(GW, SB, { yaml }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, serverCode: 'RATE_LIMITED', attempts: 2 });
    const retryAfterSeconds = (error as RateLimitedError).retryAfterSeconds ?? 0;
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(31);
    // A write is resent only because the server said when: after a 429 with Retry-After.
    expect(h.retryClock().sleeps).toEqual([retryAfterSeconds * 1000]);
    expect(error.hint).toBe(`Retry after ${retryAfterSeconds} s.`);
    expect(h.hits('POST', APPLY_ROUTE)).toBe(4);
  });
});
