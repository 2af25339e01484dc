// The fake OpenShell gateway on its own, through a grpc-js client built from the same protos
// ShoreGuard 0.40.0 ships: revision/hash bookkeeping, merge operations, presence, error codes.
import * as grpc from '@grpc/grpc-js';
import { startFakeOpenShell, type FakeOpenShell, type SandboxPolicy } from '../../support/fake-openshell';
import { loadOpenShellProtos } from '../../support/fake-openshell/protos';
import { ensureRealShoreGuardBuilt } from '../../support/real-shoreguard';

jest.setTimeout(30_000);

const NETWORK_ONLY: SandboxPolicy = {
  network_policies: {
    github: { name: 'github', endpoints: [{ host: 'api.github.com', port: 443 }], binaries: [{ path: '/opt/fake/bin/git' }] },
  },
};

type Unary = (request: object, callback: (error: grpc.ServiceError | null, response?: unknown) => void) => void;

describe('fake OpenShell gateway', () => {
  let fake: FakeOpenShell;
  let client: grpc.Client;

  const rpc = (method: string, request: object): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method];
      if (!fn) throw new Error(`no client method ${method}`);
      fn.call(client, request, (error, response) =>
        error ? reject(error) : resolve((response ?? {}) as Record<string, unknown>),
      );
    });
  const rpcError = async (method: string, request: object): Promise<grpc.ServiceError> => {
    try {
      await rpc(method, request);
    } catch (error) {
      return error as grpc.ServiceError;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  };

  beforeAll(async () => {
    // The protos come from the installed ShoreGuard package (built once, cached in .cache/).
    await ensureRealShoreGuardBuilt({ progress: true });
  }, 15 * 60 * 1000);

  beforeEach(async () => {
    fake = await startFakeOpenShell({ port: 0 });
    const Client = grpc.makeGenericClientConstructor(loadOpenShellProtos().openShell, 'OpenShell');
    client = new Client(fake.endpoint, grpc.credentials.createInsecure());
  });

  afterEach(async () => {
    client.close();
    await fake.close();
  });

  test('GIVEN a running fake WHEN Health is called THEN it reports healthy and records the call', async () => {
    await expect(rpc('Health', {})).resolves.toMatchObject({ status: 'SERVICE_STATUS_HEALTHY', version: 'fake-openshell' });
    fake.setHealthy(false);
    await expect(rpc('Health', {})).resolves.toMatchObject({ status: 'SERVICE_STATUS_UNHEALTHY' });
    expect(fake.calls()).toEqual(['Health', 'Health']);
  });

  test('GIVEN a seeded policy WHEN read over gRPC THEN revision 1 is loaded and unset sections stay absent', async () => {
    const seeded = fake.seedSandbox('sb1', NETWORK_ONLY);
    const status = await rpc('GetSandboxPolicyStatus', { name: 'sb1' });
    expect(status.active_version).toBe(1);
    expect(status.revision).toMatchObject({ version: 1, policy_hash: seeded?.policy_hash, status: 'POLICY_STATUS_LOADED' });
    const policy = (status.revision as { policy: Record<string, unknown> }).policy;
    expect(Object.keys(policy).sort()).toEqual(['network_policies']);
    expect(policy.network_policies).toEqual(NETWORK_ONLY.network_policies);
  });

  test('GIVEN revision 1 WHEN UpdateConfig sends the same policy THEN no new revision; a different one THEN revision 2', async () => {
    const first = fake.seedSandbox('sb1', NETWORK_ONLY);
    await expect(rpc('UpdateConfig', { name: 'sb1', policy: NETWORK_ONLY })).resolves.toMatchObject({
      version: 1,
      policy_hash: first?.policy_hash,
    });
    const changed = { ...NETWORK_ONLY, filesystem: { read_only: ['/usr'] } };
    const second = await rpc('UpdateConfig', { name: 'sb1', policy: changed });
    expect(second.version).toBe(2);
    expect(second.policy_hash).not.toBe(first?.policy_hash);
    expect(fake.getPolicy('sb1')).toEqual(changed);
    const history = await rpc('ListSandboxPolicies', { name: 'sb1', limit: 10 });
    expect((history.revisions as Array<{ version: number; status: string }>).map((r) => [r.version, r.status])).toEqual([
      [2, 'POLICY_STATUS_LOADED'],
      [1, 'POLICY_STATUS_SUPERSEDED'],
    ]);
    const old = await rpc('GetSandboxPolicyStatus', { name: 'sb1', version: 1 });
    expect(old.revision).toMatchObject({ version: 1, policy_hash: first?.policy_hash });
  });

  test('GIVEN a policy WHEN merge operations remove and add rules THEN they apply in order on the latest policy', async () => {
    fake.seedSandbox('sb1', { ...NETWORK_ONLY, process: { run_as_user: 'sandbox' } });
    const pypi = { name: 'pypi', endpoints: [{ host: 'pypi.org', port: 443 }] };
    const reply = await rpc('UpdateConfig', {
      name: 'sb1',
      merge_operations: [
        { remove_rule: { rule_name: 'github' } },
        { add_rule: { rule_name: 'pypi', rule: pypi } },
      ],
    });
    expect(reply.version).toBe(2);
    expect(fake.getPolicy('sb1')).toEqual({ process: { run_as_user: 'sandbox' }, network_policies: { pypi } });
  });

  test('GIVEN an out-of-band edit WHEN ShoreGuard reads THEN it sees the new revision and hash', async () => {
    const first = fake.seedSandbox('sb1', NETWORK_ONLY);
    const edited = fake.editPolicyOutOfBand('sb1', { landlock: { compatibility: 'best_effort' } });
    expect(edited.version).toBe(2);
    expect(edited.policy_hash).not.toBe(first?.policy_hash);
    await expect(rpc('GetSandboxPolicyStatus', { name: 'sb1' })).resolves.toMatchObject({
      active_version: 2,
      revision: { policy_hash: edited.policy_hash },
    });
  });

  test('GIVEN bad requests WHEN called THEN NOT_FOUND / INVALID_ARGUMENT / UNIMPLEMENTED like a real gateway', async () => {
    fake.seedSandbox('bare');
    expect((await rpcError('GetSandboxPolicyStatus', { name: 'missing' })).code).toBe(grpc.status.NOT_FOUND);
    const noRevision = await rpcError('GetSandboxPolicyStatus', { name: 'bare' });
    expect([noRevision.code, noRevision.details]).toEqual([grpc.status.NOT_FOUND, 'no policy revision found for this sandbox']);
    expect((await rpcError('UpdateConfig', { name: 'bare' })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await rpcError('UpdateConfig', { name: 'missing', policy: NETWORK_ONLY })).code).toBe(grpc.status.NOT_FOUND);
    expect((await rpcError('GetGatewayConfig', {})).code).toBe(grpc.status.UNIMPLEMENTED);
    expect(fake.calls()).toContain('GetGatewayConfig');
  });

  test('GIVEN seeded sandboxes WHEN listed THEN ObjectMeta names, labels and the current policy version come back', async () => {
    fake.seedSandbox('b', NETWORK_ONLY, { team: 'x' });
    fake.seedSandbox('a');
    const listed = await rpc('ListSandboxes', {});
    const sandboxes = listed.sandboxes as Array<{ metadata: { name: string; labels?: Record<string, string> }; status: { current_policy_version?: number } }>;
    expect(sandboxes.map((s) => [s.metadata.name, s.metadata.labels ?? {}, s.status.current_policy_version ?? 0])).toEqual([
      ['a', {}, 0],
      ['b', { team: 'x' }, 1],
    ]);
    await expect(rpc('ListSandboxProviders', { sandbox_name: 'b' })).resolves.toEqual({});
  });
});
