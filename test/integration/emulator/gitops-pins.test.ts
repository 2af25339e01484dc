import { parse, stringify } from 'yaml';
import { applyChunkId } from '../../../emulator/policy/hash';
import { SAMPLE_POLICY, useEmulator, type Api } from './harness';

const SB = '/api/gateways/gw/sandboxes/sb';

/** Exports the live policy and returns the YAML with `edit` applied to its policy block. */
async function exportAndEdit(api: Api, edit: (policy: Record<string, any>) => void): Promise<string> {
  const exported = await api.get(`${SB}/policy/export`);
  const document = parse(exported.body.yaml, { version: '1.1' }) as { metadata: Record<string, unknown>; policy: Record<string, any> };
  edit(document.policy);
  return stringify(document, { version: '1.1' });
}

describe('emulator: sandboxes and policy reads', () => {
  const { api, emulator } = useEmulator();

  beforeEach(() => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
  });

  it('GIVEN seeded sandboxes WHEN listing THEN {items, total: null} honouring limit/offset', async () => {
    emulator().state.seedSandbox('gw', 'sb2');
    const page = await api().get('/api/gateways/gw/sandboxes?limit=1&offset=1');
    expect(page.body.total).toBeNull();
    expect(page.body.items.map((item: { name: string }) => item.name)).toEqual(['sb2']);
    expect((await api().get('/api/gateways/gw/sandboxes?limit=0')).status).toBe(422);
  });

  it('GIVEN a sandbox WHEN read THEN it is ready with its current policy version', async () => {
    const sandbox = await api().get(`${SB}`);
    expect(sandbox.body).toMatchObject({ name: 'sb', phase: 'ready', current_policy_version: 1, labels: {}, status: null });
    expect((await api().get('/api/gateways/gw/sandboxes/missing')).body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('GIVEN a policy WHEN reading the snapshot and revisions THEN §10.1 envelope and a bare array', async () => {
    const snapshot = await api().get(`${SB}/policy`);
    expect(snapshot.body).toMatchObject({ active_version: 1, revision: { version: 1, status: 'loaded' } });
    expect(snapshot.body.revision.policy_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshot.body.policy).toEqual(SAMPLE_POLICY);
    emulator().state.editPolicyOutOfBand('gw', 'sb', { ...SAMPLE_POLICY, process: { run_as_user: 'root', run_as_group: 'root' } });
    const revisions = await api().get(`${SB}/policy/revisions`);
    expect(revisions.body.map((revision: { version: number; status: string }) => [revision.version, revision.status])).toEqual([
      [2, 'loaded'],
      [1, 'superseded'],
    ]);
  });

  it('GIVEN a disconnected gateway WHEN reading sandboxes or exporting THEN 503 GATEWAY_NOT_CONNECTED', async () => {
    emulator().state.setGatewayConnected('gw', false);
    for (const path of ['/api/gateways/gw/sandboxes', `${SB}/policy/export`]) {
      const response = await api().get(path);
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'GATEWAY_NOT_CONNECTED', title: 'Gateway Not Connected', detail: "Gateway 'gw' not connected." });
    }
  });

  it('GIVEN sandboxes seeded before the gateway is registered WHEN it is registered THEN they are served', async () => {
    emulator().state.seedSandbox('later', 'sb', SAMPLE_POLICY);
    expect((await api().get('/api/gateways/later/sandboxes/sb/policy/export')).status).toBe(503);
    emulator().state.registerGateway({ name: 'later' });
    expect((await api().get('/api/gateways/later/sandboxes/sb/policy/export')).status).toBe(200);
  });
});

describe('emulator: GitOps export and apply (§10)', () => {
  const { api, emulator } = useEmulator();

  beforeEach(() => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
  });

  it('GIVEN a policy WHEN exported THEN yaml, version and hash; metadata carries the same hash', async () => {
    const exported = await api().get(`${SB}/policy/export`, { key: emulator().keys.viewer });
    expect(Object.keys(exported.body)).toEqual(['yaml', 'gateway', 'sandbox', 'version', 'policy_hash']);
    expect(exported.body).toMatchObject({ gateway: 'gw', sandbox: 'sb', version: 1 });
    expect(exported.body.policy_hash).toBe(emulator().state.getPolicy('gw', 'sb').policyHash);
    expect(exported.body.yaml.startsWith('# managed-by: shoreguard-gitops\nmetadata:\n  exported_at: \'')).toBe(true);
    expect(exported.body.yaml).toContain(`  policy_hash: ${exported.body.policy_hash}\n`);
    expect(exported.body.yaml).toMatch(/exported_at: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00'/);
  });

  it('GIVEN a sandbox without a revision WHEN exported THEN 404 (the gateway answers NOT_FOUND, findings §3)', async () => {
    emulator().state.seedSandbox('gw', 'empty');
    const exported = await api().get('/api/gateways/gw/sandboxes/empty/policy/export');
    expect(exported.status).toBe(404);
    expect(exported.body).toMatchObject({ code: 'NOT_FOUND', detail: 'gRPC error: NOT_FOUND' });
  });

  it('GIVEN an unchanged export WHEN applied THEN up_to_date; a dry run THEN dry_run with explicit nulls', async () => {
    const yaml = (await api().get(`${SB}/policy/export`)).body.yaml;
    const upToDate = await api().post(`${SB}/policy/apply`, { yaml });
    expect(upToDate.body).toEqual({
      status: 'up_to_date',
      current_hash: emulator().state.getPolicy('gw', 'sb').policyHash,
      diff: { filesystem: {}, process: {}, network_policies: { added: [], removed: [], changed: [] } },
      applied_version: null,
      votes_needed: null,
      votes_cast: null,
    });
    const dryRun = await api().post(`${SB}/policy/apply`, { yaml, dry_run: true });
    expect(dryRun.body.status).toBe('dry_run');
    expect(dryRun.body.applied_version).toBeNull();
  });

  it('GIVEN an edited export WHEN applied THEN applied with the new hash; re-applying the stale file is a 409', async () => {
    const before = emulator().state.getPolicy('gw', 'sb');
    const yaml = await exportAndEdit(api(), (policy) => {
      policy['filesystem'].read_only.push('/opt');
      delete policy['network_policies'].github;
      policy['network_policies'].pypi = { name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443 }], binaries: [] };
    });
    const applied = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    const after = emulator().state.getPolicy('gw', 'sb');
    expect(applied.body).toEqual({
      status: 'applied',
      current_hash: before.policyHash,
      diff: {
        filesystem: { read_only_added: ['/opt'] },
        process: {},
        network_policies: { added: ['pypi'], removed: ['github'], changed: [] },
      },
      applied_version: after.policyHash,
      votes_needed: null,
      votes_cast: null,
    });
    expect(after.activeVersion).toBe(2);
    expect(after.policy?.['network_policies']).toEqual({ pypi: { name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443 }], binaries: [] } });

    const stale = await api().post(`${SB}/policy/apply`, { yaml });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toBe('application/json');
    expect(stale.body).toEqual({ status: 'version_mismatch', current_hash: after.policyHash, expected_version: before.policyHash });
  });

  it('GIVEN expected_version WHEN it differs THEN 409 even for dry runs; "" falls back to metadata; none means no lock', async () => {
    const yaml = 'policy: {}\n';
    const mismatch = await api().post(`${SB}/policy/apply`, { yaml, dry_run: true, expected_version: 'nope' });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.expected_version).toBe('nope');
    const viaMetadata = await api().post(`${SB}/policy/apply`, { yaml: 'metadata: {policy_hash: stale}\npolicy: {}\n', expected_version: '' });
    expect(viaMetadata.body.expected_version).toBe('stale');
    expect((await api().post(`${SB}/policy/apply`, { yaml, dry_run: true })).body.status).toBe('dry_run');
  });

  it('GIVEN an out-of-band edit WHEN the old export is applied THEN 409 because the hash changed', async () => {
    const yaml = (await api().get(`${SB}/policy/export`)).body.yaml;
    const edit = emulator().state.editPolicyOutOfBand('gw', 'sb', { ...SAMPLE_POLICY, filesystem: { read_only: ['/x'] } });
    const response = await api().post(`${SB}/policy/apply`, { yaml });
    expect(response.status).toBe(409);
    expect(response.body.current_hash).toBe(edit.policyHash);
  });

  it('GIVEN a landlock-only change WHEN applied THEN up_to_date and nothing is written (trap 9)', async () => {
    const yaml = await exportAndEdit(api(), (policy) => {
      policy['landlock'] = { compatibility: 'hard_requirement' };
      policy['version'] = 9;
    });
    expect((await api().post(`${SB}/policy/apply`, { yaml })).body.status).toBe('up_to_date');
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(1);
  });

  it.each([
    ['key: : :', 'Malformed YAML: mapping values are not allowed here\n  in "<unicode string>", line 1, column 6:\n    key: : :\n         ^'],
    ['', 'Top-level YAML must be a mapping'],
    ['metadata: {}\n', "Missing required 'policy' key"],
    ['policy:\n', "'policy' must be a mapping"],
    ['metadata: [1]\npolicy: {}\n', "'metadata' must be a mapping"],
  ])('GIVEN yaml %j WHEN applied THEN 400 VALIDATION_ERROR with the exact detail', async (yaml, detail) => {
    const response = await api().post(`${SB}/policy/apply`, { yaml });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_ERROR', detail });
  });

  it('GIVEN bad body fields WHEN applying THEN 422: a numeric expected_version and an unknown mode', async () => {
    const response = await api().post(`${SB}/policy/apply`, { yaml: 'policy: {}', expected_version: 5, mode: 'patch' });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { type: 'string_type', loc: ['body', 'expected_version'], msg: 'Input should be a valid string', input: 5 },
      { type: 'literal_error', loc: ['body', 'mode'], msg: "Input should be 'replace' or 'merge'", input: 'patch' },
    ]);
  });

  it('GIVEN an unknown sandbox, a disconnected gateway or a viewer WHEN applying THEN 404, 503, 403', async () => {
    expect((await api().post('/api/gateways/gw/sandboxes/nope/policy/apply', { yaml: 'policy: {}' })).status).toBe(404);
    expect((await api().post(`${SB}/policy/apply`, { yaml: 'policy: {}' }, { key: emulator().keys.viewer })).status).toBe(403);
    emulator().state.setGatewayConnected('gw', false);
    // get_client (503) runs before body validation (422).
    expect((await api().post(`${SB}/policy/apply`, { nope: true })).status).toBe(503);
  });

  it('GIVEN a TLD wildcard host WHEN applied THEN 500 INTERNAL_ERROR with the conversion message', async () => {
    const yaml = await exportAndEdit(api(), (policy) => {
      policy['network_policies'].bad = { name: 'bad', endpoints: [{ host: '*.com', port: 443 }], binaries: [] };
    });
    const response = await api().post(`${SB}/policy/apply`, { yaml });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({
      code: 'INTERNAL_ERROR',
      detail: "host pattern '*.com' wildcards at the TLD level; use a more specific suffix like '*.example.com'",
    });
  });

  it('GIVEN a network-only change WHEN applied in merge mode THEN applied with rule-level operations', async () => {
    const yaml = await exportAndEdit(api(), (policy) => {
      policy['network_policies'].github.endpoints[0].port = 8443;
    });
    const applied = await api().post(`${SB}/policy/apply`, { yaml, mode: 'merge' });
    expect(applied.body.status).toBe('applied');
    expect(emulator().state.getPolicy('gw', 'sb').policy?.['network_policies']).toMatchObject({
      github: { endpoints: [{ host: 'api.github.com', port: 8443, protocol: 'rest' }] },
    });
  });

  it('GIVEN a filesystem change WHEN applied in merge mode THEN 400 merge_unsupported as a Python repr string', async () => {
    const yaml = await exportAndEdit(api(), (policy) => {
      policy['filesystem'].read_only = ['/only'];
    });
    const response = await api().post(`${SB}/policy/apply`, { yaml, mode: 'merge' });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe(
      "{'status': 'merge_unsupported', 'reason': \"mode=merge cannot express changes to the 'filesystem' section; use mode=replace for filesystem / process / landlock / version updates\", 'hint': \"retry with mode='replace' for changes outside network_policies\"}",
    );
  });
});

describe('emulator: GitOps votes under an approval workflow (§6.4, §10.5 step 12)', () => {
  const { api, emulator } = useEmulator();
  let yaml: string;

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
    yaml = await exportAndEdit(api(), (policy) => {
      policy['process'].run_as_user = 'root';
    });
  });

  it('GIVEN a 2-vote workflow WHEN two operators POST the same YAML THEN 202 then applied, with decisions in between', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 2 });
    const first = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    const chunkId = applyChunkId(yaml);
    expect(first.status).toBe(202);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(Object.keys(first.body)).toEqual(['status', 'current_hash', 'diff', 'votes_needed', 'votes_cast', 'chunk_id']);
    expect(first.body).toMatchObject({ status: 'vote_recorded', votes_needed: 2, votes_cast: 1, chunk_id: chunkId });
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(1);

    const decisions = await api().get(`${SB}/approvals/${chunkId}/decisions`, { key: emulator().keys.viewer });
    expect(decisions.body).toMatchObject({ status: 'pending', votes: 1, needed: 2 });
    expect(decisions.body.decisions[0]).toMatchObject({ actor: 'sp:emulator-operator', role: 'operator', decision: 'approve', comment: null });

    const again = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(`Actor 'sp:emulator-operator' has already voted on chunk ${chunkId}`);

    const second = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator2 });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('applied');
    expect(emulator().state.getPolicy('gw', 'sb').activeVersion).toBe(2);
    expect((await api().get(`${SB}/approvals/${chunkId}/decisions`)).body.votes).toBe(0);
  });

  it('GIVEN YAML differing only in line endings WHEN voted THEN they count in separate pools', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 2 });
    await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    const crlf = await api().post(`${SB}/policy/apply`, { yaml: yaml.replace(/\n/g, '\r\n') }, { key: emulator().keys.operator2 });
    expect(crlf.status).toBe(202);
    expect(crlf.body.votes_cast).toBe(1);
  });

  it('GIVEN required_roles [admin] WHEN an operator votes THEN 403 with the Python list repr', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 1, required_roles: ['admin'] });
    const response = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    expect(response.status).toBe(403);
    expect(response.body.detail).toBe("Role 'operator' not permitted (required: ['admin'])");
    expect((await api().post(`${SB}/policy/apply`, { yaml })).body.status).toBe('applied');
  });

  it('GIVEN distinct_actors false WHEN the same actor votes twice THEN the second vote meets quorum', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 2, distinct_actors: false });
    expect((await api().post(`${SB}/policy/apply`, { yaml })).status).toBe(202);
    expect((await api().post(`${SB}/policy/apply`, { yaml })).body.status).toBe('applied');
  });

  it('GIVEN a workflow WHEN a dry run or an up-to-date apply is sent THEN no vote is recorded', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 2 });
    expect((await api().post(`${SB}/policy/apply`, { yaml, dry_run: true })).body.status).toBe('dry_run');
    expect((await api().get(`${SB}/approvals/${applyChunkId(yaml)}/decisions`)).body.votes).toBe(0);
  });

  it('GIVEN a 2-vote workflow and a merge-incompatible change WHEN the second vote arrives in merge mode THEN 400 and the votes are consumed', async () => {
    await api().put(`${SB}/approval-workflow`, { required_approvals: 2 });
    expect((await api().post(`${SB}/policy/apply`, { yaml, mode: 'merge' }, { key: emulator().keys.operator })).status).toBe(202);
    const second = await api().post(`${SB}/policy/apply`, { yaml, mode: 'merge' }, { key: emulator().keys.operator2 });
    expect(second.status).toBe(400);
    expect(second.body.detail).toContain('merge_unsupported');
    // The quorum was used up: the next voter starts a fresh pool.
    const third = await api().post(`${SB}/policy/apply`, { yaml }, { key: emulator().keys.operator });
    expect(third.status).toBe(202);
    expect(third.body.votes_cast).toBe(1);
  });
});

describe('emulator: policy pins (§7)', () => {
  let clock = new Date('2026-04-20T12:00:00.000Z');
  const { api, emulator } = useEmulator({ now: () => clock });

  beforeEach(() => {
    clock = new Date('2026-04-20T12:00:00.000Z');
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
  });

  it('GIVEN no pin WHEN read or deleted THEN 404 "No active pin for this sandbox"', async () => {
    for (const response of [await api().get(`${SB}/policy/pin`), await api().delete(`${SB}/policy/pin`)]) {
      expect(response.status).toBe(404);
      expect(response.body.detail).toBe('No active pin for this sandbox');
    }
  });

  it('GIVEN a pin WHEN posted twice THEN 200 upserts with the active version and the actor; 7 keys', async () => {
    const first = await api().post(`${SB}/policy/pin`, { reason: 'freeze' }, { key: emulator().keys.operator });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      gateway_name: 'gw',
      sandbox_name: 'sb',
      pinned_version: 1,
      pinned_by: 'sp:emulator-operator',
      reason: 'freeze',
      pinned_at: '2026-04-20T12:00:00',
      expires_at: null,
    });
    emulator().state.editPolicyOutOfBand('gw', 'sb', { ...SAMPLE_POLICY, version: 2 });
    const second = await api().post(`${SB}/policy/pin`);
    expect(second.body).toMatchObject({ pinned_version: 2, pinned_by: 'sp:emulator-admin', reason: null });
  });

  it('GIVEN a pin WHEN applying, even as a dry run THEN 423 with code INTERNAL_ERROR; export still works', async () => {
    await api().post(`${SB}/policy/pin`, {}, { key: emulator().keys.operator });
    const response = await api().post(`${SB}/policy/apply`, { yaml: 'policy: {}', dry_run: true });
    expect(response.status).toBe(423);
    expect(response.body).toMatchObject({
      title: 'Internal Error',
      status: 423,
      detail: 'Policy is pinned at version 1 by sp:emulator-operator. Unpin first.',
      code: 'INTERNAL_ERROR',
    });
    expect((await api().get(`${SB}/policy/export`)).status).toBe(200);
    expect((await api().delete(`${SB}/policy/pin`)).status).toBe(204);
    expect((await api().post(`${SB}/policy/apply`, { yaml: 'policy: {}', dry_run: true })).status).toBe(200);
  });

  it('GIVEN a pin with expires_at WHEN the clock passes it THEN GET is 404 and apply is no longer blocked', async () => {
    const pinned = await api().post(`${SB}/policy/pin`, { expires_at: '2026-04-20T13:00:00+02:00' });
    // SQLite keeps the wall clock and drops the offset; it is compared as UTC.
    expect(pinned.body.expires_at).toBe('2026-04-20T13:00:00');
    clock = new Date('2026-04-20T12:59:59.000Z');
    expect((await api().get(`${SB}/policy/pin`)).status).toBe(200);
    clock = new Date('2026-04-20T13:00:00.000Z');
    expect((await api().get(`${SB}/policy/pin`)).status).toBe(404);
    expect((await api().post(`${SB}/policy/apply`, { yaml: 'policy: {}', dry_run: true })).status).toBe(200);
  });

  it('GIVEN an expired pin nobody read WHEN deleted THEN 204, because DELETE ignores expiry', async () => {
    emulator().state.setPin('gw', 'sb', { expiresAt: '2020-01-01T00:00:00' });
    expect((await api().delete(`${SB}/policy/pin`)).status).toBe(204);
  });

  it('GIVEN an unparseable expires_at WHEN pinning THEN 500 "Internal server error" (trap 12)', async () => {
    const response = await api().post(`${SB}/policy/pin`, { expires_at: 'next tuesday' });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ detail: 'Internal server error', code: 'INTERNAL_ERROR' });
  });

  it('GIVEN a sandbox without revision WHEN pinned THEN 404 (findings §3); a disconnected gateway THEN 503', async () => {
    emulator().state.seedSandbox('gw', 'fresh');
    const bare = await api().post('/api/gateways/gw/sandboxes/fresh/policy/pin');
    expect([bare.status, bare.body.detail]).toEqual([404, 'gRPC error: NOT_FOUND']);
    await api().post(`${SB}/policy/pin`);
    emulator().state.setGatewayConnected('gw', false);
    const response = await api().post(`${SB}/policy/pin`);
    expect(response.status).toBe(503);
    expect(response.body.code).toBe('GATEWAY_NOT_CONNECTED');
    // GET and DELETE need no gateway connection.
    expect((await api().get(`${SB}/policy/pin`)).status).toBe(200);
  });

  it('GIVEN a pin WHEN the gateway is unregistered THEN the pin is still there (trap 20)', async () => {
    await api().post(`${SB}/policy/pin`);
    await api().delete('/api/gateway/gw');
    expect((await api().get(`${SB}/policy/pin`)).status).toBe(200);
  });

  it('GIVEN a viewer WHEN pinning THEN 403; reading a pin needs only authentication', async () => {
    expect((await api().post(`${SB}/policy/pin`, {}, { key: emulator().keys.viewer })).status).toBe(403);
    await api().post(`${SB}/policy/pin`);
    expect((await api().get(`${SB}/policy/pin`, { key: emulator().keys.viewer })).status).toBe(200);
  });
});
